"""The project API: every operation a front end offers, as one function each.

The command line, the language server, the studio and the HTTP API all call this, and hold
no rules of their own: they convert arguments in and results out. Plain Python values cross
it (dataclasses with `to_json`), never typer, pygls or web types.

    from cinefile.daemon.api import ProjectAPI

    with ProjectAPI.open(folder) as api:       # the project around `folder`
        api.sync()                             # index the files; subscribers hear of it
        api.blocks(type="scene", state="stale")
        card = api.card("scene-1")             # fields, state, problems, links, assets
        change = api.new_block("scene", "scene-9", parent="beat-1")
        api.apply(change)                      # guarded, atomic, synced, old version in history

Operations that change files return `FileChange`s: `apply` writes them (refusing any file
that changed since it was read); the language server sends them to the editor instead.
Each concern is a class of its own module, joined here.
"""

from __future__ import annotations

from .blocks import AssetLink, BlockCard, Blocks, BlockSummary, ProblemInfo, Snapshot
from .core import Applied, BlockText, Core, FileChange, NoSuchBlock, WriteConflict
from .film import ExportResult, FilmIO, SkippedFormat
from .generation import Generation, GenerationPlan, ListedModel, ModelListing, TargetIssue
from .history import History, Revision, Undone
from .references import References
from .remote import Remote
from .rename import Rename
from .review import Approved, FreshResult, Review
from .spending import Budget, Spending
from .status import ProjectStatus, Status


class ProjectAPI(FilmIO, Generation, Spending, Blocks, Status, Rename, Review, History, References, Remote, Core):
    """A project opened for work: `ProjectAPI.open(folder)`, or `ProjectAPI(Project(root))`."""


__all__ = ["ProjectAPI", "Applied", "AssetLink", "BlockCard", "BlockSummary", "BlockText", "Core", "FileChange",
           "NoSuchBlock", "ProblemInfo", "ProjectStatus", "Snapshot", "WriteConflict",
           "ExportResult", "FilmIO", "SkippedFormat",
           "Approved", "FreshResult", "History", "Review", "Revision", "Undone",
           "Generation", "GenerationPlan", "ListedModel", "ModelListing", "TargetIssue", "Budget", "Spending", "Remote"]
