"""Columns: the core counts code points, the client counts in the negotiated position
encoding (UTF-16 unless it asked for another). Every range crosses here."""

from __future__ import annotations

from typing import Sequence

from lsprotocol import types
from pygls.workspace.position_codec import PositionCodec, ServerTextPosition

from cinefile.format.problems import Position, Range


def _to_client(codec: PositionCodec, lines: Sequence[str], line: int, col: int) -> types.Position:
    if line >= len(lines) or lines[line].isascii():
        return types.Position(line=line, character=col)  # the common case needs no counting
    return codec.position_to_client_units(lines, ServerTextPosition(line, col))


def to_client_range(codec: PositionCodec, lines: Sequence[str], where: Range) -> types.Range:
    return types.Range(start=_to_client(codec, lines, where.start.line, where.start.col),
                       end=_to_client(codec, lines, where.end.line, where.end.col))


def from_client(codec: PositionCodec, lines: Sequence[str], position: types.Position) -> Position:
    if position.line >= len(lines) or lines[position.line].isascii():
        return Position(position.line, position.character)
    server = codec.position_from_client_units(lines, types.Position(line=position.line, character=position.character))
    return Position(server.line, server.character)


def contains(where: Range, at: Position) -> bool:
    return where.start <= at <= where.end

