"""The shapes of what goes in and out, for validation and for the OpenAPI schema. Responses are
the project API's own `to_json()`; the models here describe them (the schemathesis test
checks every response against them)."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from cinefile.format.block import ID_PATTERN
from cinefile.format.config import MODES
from pydantic import BaseModel, Field

BlockId = Annotated[str, Field(pattern=ID_PATTERN.pattern, max_length=200, description="a block id, e.g. `scene-1`")]
Mode = Literal["draft", "final"]  # cinefile.toml's MODES
assert set(Mode.__args__) == set(MODES)


class Health(BaseModel):
    status: str


class ProjectCounts(BaseModel):
    name: str
    mode: str
    blocks: int
    phases: dict[str, dict[str, int]]
    stale: int
    unreviewed: int
    broken: int
    problems: int
    errors: int


class AssetLink(BaseModel):
    sha256: str
    role: str
    approved: bool
    path: str | None


class BlockSummary(BaseModel):
    id: str
    type: str
    phase: str
    title: str
    path: str
    state: str
    stale_reason: str
    tags: list[str]
    parent: str | None
    depth: int
    generated: bool
    assets: list[AssetLink]


class BlockPage(BaseModel):
    blocks: list[BlockSummary]
    total: int = Field(description="how many blocks match the filters, on every page")
    next_cursor: str | None = Field(description="pass as `cursor` for the next page; null on the last")


class ProblemInfo(BaseModel):
    path: str
    line: int
    col: int
    end_line: int
    end_col: int
    severity: str
    code: str
    message: str
    text: str


class Dependency(BaseModel):
    id: str
    type: str | None


class Dependent(BaseModel):
    id: str
    path: str
    kind: str


class BlockCard(BaseModel):
    id: str
    path: str
    type: str
    phase: str
    title: str
    version: int
    tags: list[str]
    parent: str | None
    dependencies: list[Dependency]
    dependents: list[Dependent]
    state: str
    stale_reason: str
    content_hash: str
    file_hash: str = Field(description="of the file as last indexed")
    fields: dict[str, Any]
    problems: list[ProblemInfo]
    assets: list[AssetLink]
    body: str
    text: str | None = Field(description="the whole file as read now (the ETag is its hash, for If-Match); "
                                         "null when it cannot be read as text")


class NewBlock(BaseModel):
    type: str = Field(description="a block type, e.g. `scene`")
    id: BlockId | None = Field(default=None, description="default: from the title")
    title: str | None = Field(default=None, max_length=500)
    parent: BlockId | None = None


class Deleted(BaseModel):
    id: str
    path: str
    message: str


class Revision(BaseModel):
    version: int = Field(description="the index's version number; 0 for a version from git")
    action: str
    timestamp: str
    path: str
    text: str | None
    previous: str | None
    moved_from: str | None
    how: str = Field(default="", description="edit, generate, undo, review, ..., commit; empty when a sync saw it")
    by: str | None = Field(default=None, description="who wrote it (for a commit: its author)")
    commit: str | None = Field(default=None, description="a version from git: its commit, to pass as a version")
    subject: str | None = Field(default=None, description="the commit's subject line")


# A version as the history names it: the index's number, or (a version from git) its commit.
VersionRef = Annotated[int | str, Field(description="a version number, or the commit (or its start) of a version "
                                                    "from git")]


class Diff(BaseModel):
    id: str
    from_version: VersionRef
    to_version: VersionRef | None
    diff: str


class UndoRequest(BaseModel):
    to: int | str | None = Field(default=None, description="the version to restore (a number, or a commit from the "
                                                          "history); default the one before")
    force: bool = Field(default=False, description="overwrite an edit made since the last sync (kept in history)")


class Undone(BaseModel):
    id: str
    path: str
    restored: int | str
    version: int | None
    message: str


class FreshRequest(BaseModel):
    dry_run: bool = False


class FreshResult(BaseModel):
    fresh: list[str]
    marked: list[str]
    written: list[str]
    sourceless: list[str]
    still_stale: dict[str, str]
    dry_run: bool
    summary: str


class ApproveRequest(BaseModel):
    kind: str | None = Field(default=None, description="image, video or audio; default image")
    asset: str | None = Field(default=None, pattern=r"^[0-9a-fA-F]{4,64}$", description="the start of its sha256")


class Approved(BaseModel):
    id: str
    path: str
    role: str
    sha256: str
    already: bool
    message: str


class Graph(BaseModel):
    format: str
    graph: str


class ListedModel(BaseModel):
    id: str
    provider: str
    kind: str
    mode: str
    price: str
    usd_per_1k_tokens: float | None
    start_image_field: str | None
    runs: int
    source: str


class ModelListing(BaseModel):
    models: list[ListedModel]
    notes: list[str]
    errors: list[str]


class Cost(BaseModel):
    total: float
    calls: int
    by: dict[str, dict[str, float]]


class GenerationRequest(BaseModel):
    ids: list[BlockId] = Field(default=[], max_length=10_000, description="blocks to generate for (or `stale` or `phase`)")
    stale: bool = Field(default=False, description="every stale block that takes this kind")
    phase: str | None = Field(default=None, max_length=40, description="every block of a phase that takes this kind")
    kind: str = Field(default="text", max_length=20, description="text, image, video or audio")
    mode: Mode | None = Field(default=None, description="default: each block's, else the project's")
    dry_run: bool = Field(default=False, description="plan only: prompts and cost estimates, nothing run")
    overwrite: bool = Field(default=False, description="replace text a person wrote")
    force: bool = Field(default=False, description="ask again even when the request is cached")


class ReferenceImageOut(BaseModel):
    """An approved design still sent with a shot's still, so faces and places stay the same."""

    id: str
    type: str
    title: str
    sha256: str


class PlannedJob(BaseModel):
    id: str
    path: str
    kind: str
    mode: str
    provider: str
    model: str
    template: str | None
    prompt: str | None
    params: dict[str, Any]
    seed: int | None
    inputs: list[str]
    estimate_usd: float
    cache_key: str
    reference_images: list[ReferenceImageOut] = []
    notes: list[str] = []


class TargetError(BaseModel):
    id: str
    kind: str
    error: str


class KeptText(BaseModel):
    id: str
    kind: str
    reason: str


class GenerationPlan(BaseModel):
    jobs: list[PlannedJob]
    errors: list[TargetError]
    kept: list[KeptText]
    notes: list[str]
    estimate_usd: float


class Target(BaseModel):
    id: str
    kind: str


class Progress(BaseModel):
    done: int
    total: int


class Outcome(BaseModel):
    id: str
    kind: str
    status: str
    message: str
    cost_usd: float
    model: str | None
    mode: str | None
    assets: list[str]
    kept_text: bool


class Job(BaseModel):
    id: str
    status: Literal["queued", "running", "done", "failed", "cancelled"]
    mode: str | None
    targets: list[Target]
    progress: Progress
    stages: dict[str, str]
    last_outcome: Outcome | None
    outcomes: list[Outcome]
    cost_usd: float
    complete: bool | None
    error: str | None
    cancel_requested: bool
    created: str
    finished: str | None


class ExportOptions(BaseModel):
    scene_numbers: bool = Field(default=False, description="number the screenplay's scene headings")
    lock_scene_numbers: bool = Field(default=False, description="write each scene's number into it first")
    embed_stills: bool = Field(default=False, description="embed stills in the storyboard")
    slates: bool = Field(default=True, description="burn shot numbers and scene headings into the animatic")


class WrittenFile(BaseModel):
    path: str
    format: str
    changed: bool


class SkippedFormat(BaseModel):
    format: str
    reason: str


class ExportResult(BaseModel):
    formats: list[str]
    written: list[str]
    changed: list[str]
    files: list[WrittenFile]
    skipped: list[SkippedFormat]
    locked: list[str]
    cancelled: bool


class ExportFormat(BaseModel):
    name: str
    description: str
    files: list[str]
    needs: str


class CreatedBlock(BaseModel):
    id: str
    type: str
    path: str


class UpdatedBlock(CreatedBlock):
    what: list[str]  # the frontmatter keys that change, and `text` for the body


class ImportConflict(BaseModel):
    id: str
    path: str
    reason: str


class GoneBlock(CreatedBlock):
    named_by: list[str]
    kept_reason: str | None  # why a prune keeps it: its text is a person's


class ImportReport(BaseModel):
    source: str
    dry_run: bool
    created: list[CreatedBlock]
    reused: list[str]
    title_page: dict[str, str | list[str]]
    title_page_note: str
    updated: list[UpdatedBlock]
    unchanged: list[str]
    conflicts: list[ImportConflict]
    gone: list[GoneBlock]
    prune: bool
    removed: list[str]
    summary: str
