"""Generation in the studio: the panel for one block, the batch panel, and the run they start.

    block_generation(api, "shot-1a")      # kinds, model, estimated cost, then a generate button
    batch_generation(api)                 # a phase, a selection or every stale block
    generation_progress()                 # the session's run: progress and cancel, then a summary

Everything a panel shows comes from the project API: the kinds a type takes, the plan (model,
provider, estimate, the targets it refuses and why, the texts it keeps), and each outcome.
A run goes in a background thread, so a long video never blocks the page; a fragment polls it
and cancel sets the `threading.Event` the API stops on. One run at a time per browser session.
A person's own text is replaced only when its `overwrite` checkbox is ticked.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass, field

import streamlit as st

from cinefile.daemon.errors import UserError
from cinefile.daemon.generate.reference_images import references_line
from cinefile.format.catalog import PHASES
from cinefile.format.config import MODES
from cinefile.studio.context import generation_keys, show_error
from cinefile.studio.sidebar import MODE, MODELS

RUN_STATE = "generation_run"  # the session's GenerationRun
POLL_SECONDS = 0.5
KIND_LABELS = {"text": "Text", "image": "Still", "video": "Video", "audio": "Audio"}
STATUS_ORDER = ("done", "cached", "failed", "skipped", "cancelled")
OVERWRITE_LABEL = "Replace text a person wrote (the old text stays in history)"
BATCH_SCOPES = {"stale": "Every stale block", "phase": "A phase", "selection": "A selection"}


def session_mode() -> str | None:
    """The mode this session generates in (the sidebar's switch); None: each block's or the
    project's own."""
    mode = st.session_state.get(MODE)
    return mode if mode in MODES else None


def session_models() -> dict[str, str]:
    """The models picked in the sidebar for this session, by kind: they win over cinefile.toml's."""
    return dict(st.session_state.get(MODELS) or {})


@dataclass
class GenerationRun:
    """One batch running in a background thread. The thread only fills these fields (it
    must not call Streamlit); the page reads them on each poll."""

    targets: list[tuple[str, str]]
    cancel: threading.Event = field(default_factory=threading.Event)
    outcomes: list = field(default_factory=list)  # the API's Outcomes, as they finish
    stages: dict = field(default_factory=dict)  # (id, kind) -> the job's latest stage
    cost: float = 0.0
    failure: str | None = None  # the batch as a whole failed before any job ran
    thread: threading.Thread | None = None

    @property
    def running(self) -> bool:
        return self.thread is not None and self.thread.is_alive()

    def wait(self, timeout: float) -> bool:
        """Wait for the run to end (tests, and nothing else, wait); True when it has."""
        if self.thread is not None:
            self.thread.join(timeout)
        return not self.running

    def count(self, status: str) -> int:
        return sum(1 for outcome in self.outcomes if outcome.status == status)

    def note_stage(self, job, stage: str) -> None:
        self.stages[(job.key, job.kind)] = stage

    def execute(self, api, options: dict) -> None:
        try:
            result = api.generate(self.targets, cancel=self.cancel, on_outcome=self.outcomes.append,
                                  on_progress=self.note_stage, **options)
            self.cost = result.cost
        except UserError as error:
            self.failure = str(error)
        except Exception as error:  # a bug must not end silently in a thread: say it on the page
            self.failure = f"internal error: {type(error).__name__}: {error}"


def start_generation(api, targets: list[tuple[str, str]], *, overwrite: bool = False, force: bool = False) -> None:
    """Start a run of `targets` in the background (a button's callback: it runs before the page)."""
    current = st.session_state.get(RUN_STATE)
    if current is not None and current.running:
        return  # the buttons are disabled while a run goes; a second click cannot start another
    run = GenerationRun(list(targets))
    # Read in the script's thread: session state is not for the worker to touch.
    options = {"mode": session_mode(), "overwrite": overwrite, "force": force, "keys": generation_keys(),
               "models": session_models()}
    run.thread = threading.Thread(target=run.execute, args=(api, options), name="studio-generate", daemon=True)
    st.session_state[RUN_STATE] = run
    run.thread.start()


def generation_running() -> bool:
    run = st.session_state.get(RUN_STATE)
    return run is not None and run.running


# -- the panel for one block ---------------------------------------------------------------


def block_generation(api, block_id: str, *, progress: bool = True) -> None:
    """Generate for one block: the kinds its type takes, the model and the estimated cost
    before the click, a generate button (key `generate_<id>`). `progress`: show the session's
    run below (leave it False when the page shows `generation_progress()` itself)."""
    try:
        kinds = api.kinds_for(api.card(block_id).type)
        if not kinds:  # a block with no type (its frontmatter is broken): the phase page says why
            st.caption("Nothing can be generated for this block as it is.")
            return
        kind = st.selectbox("Generate", kinds, key=f"gen_kind_{block_id}", format_func=KIND_LABELS.get)
        overwrite = kind == "text" and st.checkbox(OVERWRITE_LABEL, key=f"gen_overwrite_{block_id}")
        plan = api.plan_generation([(block_id, kind)], session_mode(), overwrite=overwrite, keys=generation_keys(),
                                   models=session_models())
    except UserError as error:
        show_error(error)
        return
    show_plan(api, plan)
    st.button(f"Generate {KIND_LABELS[kind].lower()}", key=f"generate_{block_id}", type="primary",
              disabled=not plan.jobs or generation_running(), on_click=start_generation,
              args=(api, [(block_id, kind)]), kwargs={"overwrite": overwrite})
    if progress:
        generation_progress()


def show_plan(api, plan) -> None:
    """What a click would do: each job's model and estimate, what is refused or kept, and why."""
    for job in plan.jobs[:5]:
        st.caption(f"{job.key}: {KIND_LABELS[job.kind].lower()} with `{job.model}` ({job.provider}, {job.mode}) · "
                   f"{api.cost_text(job)}")
        if job.reference_images:
            st.caption(references_line(job.reference_images))
    if len(plan.jobs) > 5:
        st.caption(f"… and {len(plan.jobs) - 5} more")
    if len(plan.jobs) != 1:
        st.caption(plan.estimate_line)
    for issue in plan.errors:
        st.warning(issue.message, icon=":material/block:")
    for issue in plan.kept:
        st.info(f"`{issue.id}` {issue.message.split(';')[0]}: tick “{OVERWRITE_LABEL}” to replace it",
                icon=":material/edit_note:")
    for note in plan.notes:
        st.caption(note)


# -- the batch panel -----------------------------------------------------------------------


def batch_generation(api, *, progress: bool = True) -> None:
    """Generate for many blocks at once: every stale block, a phase, or a selection, with the
    estimate before the click (button key `batch_generate`)."""
    scope = st.radio("Blocks", list(BATCH_SCOPES), key="batch_scope", format_func=BATCH_SCOPES.get, horizontal=True)
    kind = st.selectbox("Kind", list(KIND_LABELS), key="batch_kind", format_func=KIND_LABELS.get)
    try:
        chosen = batch_choice(api, scope)
        overwrite = kind == "text" and st.checkbox(OVERWRITE_LABEL, key="batch_overwrite")
        if scope == "selection" and not chosen:
            st.caption("Pick the blocks to generate for.")
            return
        targets = api.generation_targets(chosen if scope == "selection" else (), stale=scope == "stale",
                                         phase=chosen if scope == "phase" else None, kind=kind)
        plan = api.plan_generation(targets, session_mode(), overwrite=overwrite, keys=generation_keys(),
                                   models=session_models())
    except UserError as error:
        show_error(error)
        return
    show_plan(api, plan)
    st.button(f"Generate {len(plan.jobs)}", key="batch_generate", type="primary",
              disabled=not plan.jobs or generation_running(), on_click=start_generation,
              args=(api, [(job.key, job.kind) for job in plan.jobs]), kwargs={"overwrite": overwrite})
    if progress:
        generation_progress()


def batch_choice(api, scope: str):
    """The phase, or the block ids, the batch is for (None for every stale block)."""
    if scope == "phase":
        return st.selectbox("Phase", PHASES[:3], key="batch_phase")
    if scope == "selection":
        titles = {block.id: block.title for block in api.blocks()}
        return st.multiselect("Blocks", list(titles), key="batch_selection",
                              format_func=lambda key: f"{key} · {titles[key]}" if titles[key] else key)
    return None


# -- the run: progress, cancel, summary -----------------------------------------------------


def generation_progress() -> None:
    """The session's run: live progress with a cancel button while it goes (polled), then
    what it did. Call it once per page."""
    run = st.session_state.get(RUN_STATE)
    if run is None:
        return
    if run.running:
        _live_progress()
    else:
        _summary(run)


@st.fragment(run_every=POLL_SECONDS)
def _live_progress() -> None:
    run = st.session_state.get(RUN_STATE)
    if run is None:
        return
    if not run.running:
        st.rerun()  # the whole page, so that it shows what the run wrote
    finished = len(run.outcomes)
    label = "Cancelling…" if run.cancel.is_set() else f"Generating: {finished} of {len(run.targets)} done"
    status = st.status(label, state="running", expanded=True)  # not `with`: leaving it marks it complete
    status.progress(finished / max(1, len(run.targets)))
    ended = {(outcome.key, outcome.kind) for outcome in run.outcomes}
    for (key, kind), stage in list(run.stages.items()):
        if (key, kind) not in ended:
            status.caption(f"{key}: {KIND_LABELS.get(kind, kind).lower()}, {stage}")
    status.button("Cancel", key="generation_cancel", on_click=run.cancel.set, disabled=run.cancel.is_set())


def summary_line(run: GenerationRun) -> str:
    counts = ", ".join(f"{run.count(status)} {status}" for status in STATUS_ORDER
                       if run.count(status) or status in ("done", "failed"))
    return f"{counts} · ${run.cost:.4f}"


def _summary(run: GenerationRun) -> None:
    if run.failure:
        st.error(run.failure, icon=":material/error:")
    else:
        trouble = run.count("failed") > 0
        state = "error" if trouble else "complete"
        with st.status(f"Generation finished: {summary_line(run)}", state=state, expanded=trouble):
            for outcome in run.outcomes:
                message = f": {outcome.message}" if outcome.message else ""
                what = KIND_LABELS.get(outcome.kind, outcome.kind).lower()
                show = st.error if outcome.status == "failed" else st.caption
                show(f"`{outcome.key}` {what}: {outcome.status}{message}")
    st.button("Clear", key="generation_dismiss", on_click=st.session_state.pop, args=(RUN_STATE, None))
