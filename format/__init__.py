"""The cinefile project format: parse, check, hash and describe blocks.

Pure: no file-system watching, no editor protocol, no command line, no network.
"""

from .block import Block, Ref, slugify
from .catalog import PHASES, TYPES
from .parse import parse_block, parse_text
from .problems import Position, Problem, Range

__all__ = ["Block", "Ref", "slugify", "PHASES", "TYPES", "parse_block", "parse_text", "Position", "Problem", "Range"]
