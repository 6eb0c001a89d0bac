"""A phase page (Story, Design, Shooting): the phase's blocks in story order with their state
and problems, a block's editor, and new blocks from their templates.

Every decision comes from the project API: the list and its order (`blocks`), what is stale
and why, the problems, what may be a parent (the catalogue), what a save makes stale
(`impact`), and the save itself (`replace_text` + `apply`, refused when the file changed
since the page read it). The page keeps the text and hash it loaded, the base of a save, in
session state: a conflict shows both versions and lets the person choose.
"""

from __future__ import annotations

import difflib
import re
from collections import defaultdict
from dataclasses import dataclass, field

import streamlit as st

from cinefile.daemon.api import BlockSummary, ProblemInfo, ProjectAPI, WriteConflict
from cinefile.daemon.errors import UserError
from cinefile.format.catalog import PHASE_FOLDERS, TYPES, allowed_parents
from cinefile.format.parse import parse_text
from cinefile.studio import fields
from cinefile.studio.context import live_project, show_error
from cinefile.studio.generation_panel import block_generation

LIVE_REFRESH_SECONDS = 1
TREE_LIMIT = 300  # blocks drawn in the list; more are reached by the filter and the picker
PREVIEW_LIMIT = 12  # ids named in "what it will make stale"
# Session state of the editor (widget keys are in fields.py and below).
LOADED = "editor_loaded"  # {"id", "path", "text", "hash"}: what the form was loaded from, the base of a save
CONFLICT = "editor_conflict"  # {"id", "mine", "theirs", "hash"}: a refused save, until the user chooses
FLASH = "editor_flash"  # (kind, message): the outcome of a button, shown once
DRAFTS = "editor_drafts"  # id -> {"loaded", "values"}: unsaved edits of blocks the user moved away from
SEEN = "seen_changes"  # the live project's `changes` this page was drawn from
SELECT = "block_select"

STATE_BADGES = {"fresh": ("fresh", "green"), "stale": ("stale", "orange"), "unreviewed": ("never reviewed", "blue"),
                "broken": ("broken", "red")}
SEVERITY_COLOURS = {"error": "red", "warning": "orange"}
DESCRIPTIONS = {"Story": "From the logline to the scenes: acts, beats and scenes in story order.",
                "Design": "Characters, locations, props, costumes and the style guide.",
                "Shooting": "Shot breakdowns, cinematography and shots, scene by scene."}
_MARKDOWN_SPECIAL = re.compile(r"([\\`*_{}\[\]()#+\-.!|<>:~$])")


def md(text: str) -> str:
    """Text shown as itself in Markdown (Streamlit's `:color[...]` and `:icon:` included)."""
    return _MARKDOWN_SPECIAL.sub(r"\\\1", text)


def badge_markdown(state: str) -> str:
    label, colour = STATE_BADGES.get(state, (state or "unknown", "gray"))
    return f":{colour}-badge[{label}]"


# -- the list ---------------------------------------------------------------------------------

@dataclass
class Group:
    """Blocks under one header: a scene on the Shooting page; none elsewhere."""

    header: BlockSummary | None
    blocks: list[BlockSummary] = field(default_factory=list)


class PhaseBlocks:
    """What a phase page reads, each list read once per change of the project and shared by
    every session (`LiveProject.remembered`): at 10,000 blocks a list costs a tenth of a
    second, and a page reruns on every click. The lists are shared: never change them."""

    def __init__(self, live, phase: str) -> None:
        self.live, self.api, self.phase = live, live.api, phase

    def phase_blocks(self, phase: str) -> list[BlockSummary]:
        """One phase's blocks in story order, read once for the page's list and for `sources`
        (reading the Story phase twice was a fifth of a save's rerun at 100,000 blocks)."""
        return self.live.remembered(("phase", phase), lambda: self.api.blocks(phase=phase))

    def sources(self) -> list[BlockSummary]:
        """The blocks others are made from: story and design. (Any other id can be typed.)"""
        return self.live.remembered(("sources",), lambda: [block for phase in ("Story", "Design")
                                                            for block in self.phase_blocks(phase)])

    def labels(self) -> dict[str, str]:
        return self.live.remembered(("labels",), lambda: fields.format_labels(self.sources()))

    def tags(self) -> list[str]:
        """The tags in use, on this page's blocks and those others are made from."""
        return self.live.remembered(("tags", self.phase), lambda: sorted(
            {t for b in self.sources() for t in b.tags} | {t for g in self.groups() for b in g.blocks for t in b.tags}))

    def groups(self) -> list[Group]:
        if self.phase != "Shooting":
            return self.live.remembered(("groups", self.phase), lambda: [Group(None, self.phase_blocks(self.phase))])
        return self.live.remembered(("groups", self.phase), lambda: shooting_groups(self.api.blocks()))

    def problems(self) -> dict[str, list[ProblemInfo]]:
        return self.live.remembered(("problems",), lambda: problems_by_path(self.api))

    def matching(self, text: str, state: str) -> set[str]:
        return self.live.remembered(("matching", self.phase, text, state), lambda: {
            b.id for b in self.api.blocks(phase=self.phase, text=text or None, state=state or None)})

    def parents(self, allowed: tuple[str, ...]) -> dict[str, str]:
        """The blocks that may be a parent (of the allowed types), id -> label."""
        return self.live.remembered(("parents", allowed), lambda: fields.format_labels(
            [b for type_name in allowed for b in self.api.blocks(type=type_name)]))

    def unplaced(self) -> list[BlockSummary]:
        """Files in the phase's folder with no type cinefile can read (broken frontmatter, or
        none): they belong to no phase, so they are shown where their file is."""
        return self.live.remembered(("unplaced", self.phase), self._unplaced)

    def _unplaced(self) -> list[BlockSummary]:
        folder = PHASE_FOLDERS[self.phase] + "/"
        cards = [self.api.card(path) for path in self.problems() if path.startswith(folder)]
        return [BlockSummary(c.id, c.type, c.phase, c.title, c.path, c.state, c.stale_reason, c.tags, c.parent, [])
                for c in cards if not c.phase]


def shooting_groups(tree: list[BlockSummary]) -> list[Group]:
    """The Shooting blocks of the whole project's story-order tree, under their scene (depth
    counted from the scene); those under no scene last, in a group of their own."""
    groups, orphans, scene = [], Group(None), None
    for block in tree:
        if block.type == "scene":
            scene = block
            groups.append(Group(block))
        elif block.phase != "Shooting":
            if scene is not None and block.depth <= scene.depth:
                scene = None  # left the scene's subtree
        elif scene is not None and block.depth > scene.depth:
            block.depth -= scene.depth + 1
            groups[-1].blocks.append(block)
        else:
            orphans.blocks.append(block)
    return groups + ([orphans] if orphans.blocks else [])


def filtered(groups: list[Group], wanted: set[str] | None) -> list[Group]:
    if wanted is None:
        return groups
    kept = [Group(g.header, [b for b in g.blocks if b.id in wanted]) for g in groups]
    return [g for g in kept if g.blocks or (g.header is not None and g.header.id in wanted)]


def block_line(block: BlockSummary, depth: int, problems: list[ProblemInfo]) -> str:
    indent = "  " * depth
    why = f" {md(block.stale_reason)}" if block.stale_reason else ""
    title = md(block.title or block.id)
    line = f"{indent}- **{title}** `{block.id}` {md(block.type)} {badge_markdown(block.state)}{why}"
    for problem in problems[:3]:
        colour = SEVERITY_COLOURS.get(problem.severity, "gray")
        line += f"\n{indent}  - :{colour}[line {problem.line}:{problem.col}: {md(problem.message)}]"
    if len(problems) > 3:
        line += f"\n{indent}  - {len(problems) - 3} more problems: select the block"
    return line


def tree_markdown(groups: list[Group], problems: dict[str, list[ProblemInfo]], limit: int = TREE_LIMIT) -> str:
    """The list as one Markdown element: one element draws fast at thousands of lines."""
    parts, shown, total = [], 0, sum(len(g.blocks) for g in groups)
    for group in groups:
        if shown >= limit:
            break
        if group.header is not None:
            parts.append(f"**{md(group.header.title or group.header.id)}** `{group.header.id}`")
        elif len(groups) > 1:
            parts.append("**Under no scene**")
        lines, depth = [], -1
        for block in group.blocks[: limit - shown]:
            depth = min(block.depth, depth + 1)  # a list item nests at most one level deeper
            lines.append(block_line(block, depth, problems.get(block.path, [])))
        shown += len(lines)
        if lines or group.header is not None:
            parts.append("\n".join(lines) if lines else "_nothing under this scene yet_")
    if total > shown:
        parts.append(f"_{total - shown} more: narrow the list with the filter, or pick a block below._")
    return "\n\n".join(parts) if parts else "_No blocks yet: create one below._"


def problems_by_path(api: ProjectAPI) -> dict[str, list[ProblemInfo]]:
    found: dict[str, list[ProblemInfo]] = defaultdict(list)
    for problem in api.problems():
        found[problem.path].append(problem)
    return found


# -- the page ---------------------------------------------------------------------------------

def followed_project():
    """The live project a page draws, followed: the page reruns when it changes elsewhere.
    Stops the page when the folder holds no project."""
    live = live_project()
    if live is None:
        st.info("This folder holds no cinefile project: open the start page.")
        st.stop()
    st.session_state[SEEN] = live.changes  # before reading, so a change made meanwhile reruns
    follow_changes(live)
    return live


def render_phase_page(phase: str) -> None:
    live = followed_project()
    st.title(phase)
    st.caption(DESCRIPTIONS[phase])
    show_flash()
    reads = PhaseBlocks(live, phase)
    keep_draft_of_block_left()  # before the list, whose picker marks the blocks with unsaved edits
    listing, editing = st.columns([5, 7], gap="large")
    try:
        with listing:
            choices = render_list(reads)
            render_create(reads)
        with editing:
            selected = st.selectbox("Block", list(choices), key=SELECT, format_func=lambda i: choices.get(i, i),
                                    index=None, placeholder="Choose a block to edit")
            if selected:
                render_editor(reads, selected)
    except UserError as error:
        show_error(error)


@st.fragment(run_every=LIVE_REFRESH_SECONDS)
def follow_changes(live) -> None:
    """Rerun the page when the project changed since it was drawn (an editor's save, a `git
    pull`, another tab): the live project's `changes` moves, this looks every second."""
    if live.changes != st.session_state.get(SEEN):
        st.rerun()


def show_flash() -> None:
    kind, message = st.session_state.pop(FLASH, (None, None))
    if kind == "error":
        st.error(message, icon=":material/error:")
    elif kind == "success":
        st.success(message, icon=":material/check_circle:")
    elif kind:
        st.info(message)


def flash(kind: str, message: str) -> None:
    st.session_state[FLASH] = (kind, message)


def render_list(reads: PhaseBlocks) -> dict[str, str]:
    """Draw the filters and the list; return the picker's choices, id -> label."""
    text_filter, state_filter = st.columns([3, 2])
    text = text_filter.text_input("Filter", key="filter_text", placeholder="id, title or text")
    state = state_filter.selectbox("State", ["", *STATE_BADGES], key="filter_state",
                                   format_func=lambda s: STATE_BADGES[s][0] if s else "any state")
    groups, problems, unplaced = reads.groups(), reads.problems(), reads.unplaced()
    wanted = None
    if text or state:
        wanted = reads.matching(text, state) | {b.id for b in unplaced if (not state or b.state == state)
                                                and (not text or text.lower() in b.id)}
    shown = filtered(groups, wanted)
    with st.container(height=560, border=True, key="block_tree"):
        if unplaced:
            st.markdown("**Files cinefile cannot read as a block**\n\n"
                        + "\n".join(block_line(b, 0, problems.get(b.path, [])) for b in unplaced))
        st.markdown(tree_markdown(shown, problems))
    blocks = [*unplaced, *(b for g in shown for b in g.blocks)]
    choices = fields.format_labels(blocks, indent=True)
    for block_id in st.session_state.get(DRAFTS, {}):
        if block_id in choices:
            choices[block_id] = f"{choices[block_id]} · unsaved edits"
    chosen = st.session_state.get(SELECT)
    if chosen and chosen not in choices:
        choices[chosen] = chosen  # hidden by the filter, or just created: keep it chosen
    return choices


# -- one block --------------------------------------------------------------------------------

def render_editor(reads: PhaseBlocks, block_id: str) -> None:
    api = reads.api
    try:
        card = api.card(block_id)
        current = api.read(card.path)
    except UserError as error:
        show_error(error)
        show_unsaved(block_id)
        return
    loaded = sync_loaded(block_id, current)
    block = parse_text(loaded["path"], loaded["text"])
    render_card(card)
    conflict = st.session_state.get(CONFLICT)
    if conflict and conflict["id"] == block_id:
        render_conflict(api, block_id, conflict)
    if block.readable:
        render_form(reads, block, card.id)
    else:
        fields.raw_text_widget()
    try:
        dirty = form_text(loaded) != loaded["text"]
    except UserError as error:
        show_error(error)
        dirty = False
    if dirty:
        render_impact(api, block_id)
    save, fresh = st.columns(2)
    save.button("Save", key="save", type="primary", icon=":material/save:", disabled=not dirty,
                on_click=save_block, args=(api, block_id))
    if card.state in ("stale", "unreviewed"):
        fresh.button("Mark up to date", key="mark_fresh", icon=":material/task_alt:", on_click=mark_fresh,
                     args=(api, block_id), help="Record that this block is right as saved, from what it is made from now")
    with st.container(border=True, key="block_generation"):
        block_generation(api, block_id)  # kinds, model and estimated cost before the click
    render_reference_upload(api, block_id)


def render_reference_upload(api: ProjectAPI, block_id: str) -> None:
    """A reference image of the user's own for the block: size and type checked by the API
    from the bytes, stored in the project's assets/ and nowhere else."""
    with st.expander("Add a reference image", icon=":material/add_photo_alternate:"):
        upload = st.file_uploader("An image of your own (PNG, JPEG, WebP or GIF, 10 MB at most)",
                                  type=["png", "jpg", "jpeg", "webp", "gif"], key="reference_upload")
        if upload is not None and st.button("Link it to this block", key="reference_attach"):
            try:
                api.apply(api.reference_change(block_id, upload.getvalue(), name=upload.name))
            except UserError as error:
                show_error(error)
            else:
                flash("success", f"Linked {upload.name} to {block_id} as a reference.")
                st.rerun()


def sync_loaded(block_id: str, current) -> dict:
    """The version the form shows: loaded on first sight (or the unsaved edits left when the
    user picked another block); reloaded when the file changed on disk and the form holds no
    edit of its own; kept, with a warning, when it does."""
    loaded = st.session_state.get(LOADED)
    if loaded is None or loaded["id"] != block_id or loaded["path"] != current.path:
        return restore_draft(block_id) or load(block_id, current)
    if loaded["hash"] == current.file_hash:
        return loaded
    conflict = st.session_state.get(CONFLICT)
    if conflict and conflict["id"] == block_id:
        return loaded  # the conflict's panel shows both versions
    if not has_edits(loaded):
        st.toast(f"{current.path} changed on disk: showing the new version", icon=":material/sync:")
        return load(block_id, current)
    st.warning(f"{current.path} changed on disk since you opened it. Your edits are kept here; "
               "saving shows both versions so you can choose.", icon=":material/warning:")
    return loaded


def form_text(loaded: dict) -> str:
    """The file text the form makes now, from the version it was loaded from."""
    return fields.compose(loaded["text"], parse_text(loaded["path"], loaded["text"]), st.session_state)


def has_edits(loaded: dict) -> bool:
    try:
        return form_text(loaded) != loaded["text"]
    except UserError:
        return True  # the form cannot be turned into text: it certainly differs


def load(block_id: str, current) -> dict:
    """Put a block's text into the form's widgets (before they are drawn, or in a callback)."""
    block = parse_text(current.path, current.text)
    for key in [k for k in st.session_state if str(k).startswith("relation_")]:
        del st.session_state[key]  # relations of the block shown before
    st.session_state.update(fields.form_values(current.text, block))
    loaded = {"id": block_id, "path": current.path, "text": current.text, "hash": current.file_hash}
    st.session_state[LOADED] = loaded
    return loaded


def keep_draft_of_block_left() -> None:
    """When the user picks another block, keep the edits of the one left (its widgets still
    hold them in this run) until they come back to it: nothing typed is lost."""
    loaded = st.session_state.get(LOADED)
    if loaded is None or loaded["id"] == st.session_state.get(SELECT):
        return
    if has_edits(loaded):
        values = {key: st.session_state[key] for key in fields.form_keys(st.session_state)}
        st.session_state.setdefault(DRAFTS, {})[loaded["id"]] = {"loaded": loaded, "values": values}
    del st.session_state[LOADED]


def restore_draft(block_id: str) -> dict | None:
    draft = st.session_state.get(DRAFTS, {}).pop(block_id, None)
    if draft is None:
        return None
    for key in fields.form_keys(st.session_state):
        del st.session_state[key]
    st.session_state.update(draft["values"])
    st.session_state[LOADED] = draft["loaded"]
    st.info("Your unsaved edits to this block are back.", icon=":material/edit_note:")
    return draft["loaded"]


def show_unsaved(block_id: str) -> None:
    """The block is gone (deleted, renamed): whatever was typed stays on the page to copy."""
    loaded = st.session_state.get(LOADED)
    if loaded and loaded["id"] == block_id and has_edits(loaded):
        st.caption("Your unsaved text, to copy:")
        try:
            text = form_text(loaded)
        except UserError:
            text = st.session_state.get(fields.BODY) or st.session_state.get(fields.RAW_TEXT) or ""
        st.code(text, language="markdown")


def render_card(card) -> None:
    label, colour = STATE_BADGES.get(card.state, (card.state, "gray"))
    heading, state = st.columns([3, 2])
    heading.subheader(card.title or card.id)
    heading.caption(f"`{card.id}` · {card.type or 'no type'} · {card.path} · version {card.version}")
    with state:
        st.badge(label, color=colour)
        if card.stale_reason:
            st.caption(md(card.stale_reason))
    for problem in card.problems:
        message = f"line {problem.line}:{problem.col}: {problem.message} [{problem.code}]"
        (st.error if problem.severity == "error" else st.warning)(message)


def render_form(reads: PhaseBlocks, block, block_id: str) -> None:
    st.text_input("Title", key=fields.TITLE, placeholder=block.title, **fields.KEEP)
    fields.field_widgets(block)
    allowed = allowed_parents(block.type)
    candidates = {i: label for i, label in reads.parents(allowed).items() if i != block_id}
    fields.parent_widget(candidates, allowed)
    fields.dependency_widgets(reads.labels(), block_id, {dep.target: dep.relation or "" for dep in block.dependencies})
    fields.tags_widget(reads.tags())
    fields.body_widget()


def render_impact(api: ProjectAPI, block_id: str) -> None:
    affected = api.impact(block_id)
    if not affected:
        st.caption("Nothing is made from this block: saving makes nothing stale.")
        return
    names = ", ".join(f"`{b.id}`" for b in affected[:PREVIEW_LIMIT])
    more = f" and {len(affected) - PREVIEW_LIMIT} more" if len(affected) > PREVIEW_LIMIT else ""
    st.info(f"Saving a change to its content makes {len(affected)} block{'s' if len(affected) != 1 else ''} "
            f"stale: {names}{more}.", icon=":material/account_tree:")


def render_conflict(api: ProjectAPI, block_id: str, conflict: dict) -> None:
    with st.container(border=True, key="conflict"):
        st.error("Not saved: the file changed on disk since you opened it (an editor, another tab, a pull). "
                 "Both versions are here: keep yours (the file's version stays in history) or take the file's.",
                 icon=":material/difference:")
        mine, theirs = st.columns(2)
        mine.markdown("**Yours**")
        mine.code(conflict["mine"], language="markdown")
        theirs.markdown("**On disk now**")
        theirs.code(conflict["theirs"], language="markdown")
        with st.expander("What differs"):
            diff = difflib.unified_diff(conflict["theirs"].splitlines(), conflict["mine"].splitlines(),
                                        "on disk", "yours", lineterm="")
            st.code("\n".join(diff), language="diff")
        keep, take = st.columns(2)
        keep.button("Keep mine", key="keep_mine", type="primary", on_click=save_block, args=(api, block_id, True))
        take.button("Take theirs", key="take_theirs", on_click=take_theirs, args=(api, block_id))


# -- actions (button callbacks: they run before the page is drawn, so they may set widgets) -----

def save_block(api: ProjectAPI, block_id: str, over_conflict: bool = False) -> None:
    """Write the form through the guarded write, based on the version loaded (or, to keep
    mine over a conflict, on the version on disk that the conflict showed)."""
    loaded = st.session_state[LOADED]
    conflict = st.session_state.get(CONFLICT)
    base = conflict["hash"] if over_conflict and conflict else loaded["hash"]
    text = None
    try:
        text = form_text(loaded)
        api.apply(api.replace_text(loaded["path"], text, base))
    except WriteConflict as refused:
        if refused.current_text is None:
            flash("error", str(refused))
            return
        st.session_state[CONFLICT] = {"id": block_id, "mine": text, "theirs": refused.current_text,
                                      "hash": refused.current_hash}
        return
    except UserError as error:
        flash("error", str(error))
        return
    st.session_state.pop(CONFLICT, None)
    load(block_id, api.read(loaded["path"]))  # what was saved is the base of the next save
    flash("success", f"Saved {loaded['path']}")


def take_theirs(api: ProjectAPI, block_id: str) -> None:
    st.session_state.pop(CONFLICT, None)
    try:
        current = api.read(st.session_state[LOADED]["path"])
    except UserError as error:
        flash("error", str(error))
        return
    load(block_id, current)
    flash("info", f"Showing {current.path} as it is on disk; your edits were dropped.")


def mark_fresh(api: ProjectAPI, block_id: str) -> None:
    try:
        result = api.mark_fresh([block_id])
    except UserError as error:
        flash("error", str(error))
        return
    flash("success", " ".join([result.summary.capitalize() + ".", *result.notes()]))


# -- new blocks -------------------------------------------------------------------------------

def render_create(reads: PhaseBlocks) -> None:
    types = [t.name for t in TYPES.values() if t.phase == reads.phase]
    with st.expander("New block", icon=":material/add:"):
        block_type = st.selectbox("Type", types, key="new_type", format_func=lambda t: t.replace("_", " "),
                                  help="; ".join(f"{t}: {TYPES[t].description}" for t in types))
        allowed = allowed_parents(block_type)
        candidates = reads.parents(allowed)
        if st.session_state.get("new_parent") not in candidates:
            st.session_state["new_parent"] = ""  # a parent of the type chosen before
        st.selectbox("Parent", ["", *candidates], key="new_parent", disabled=not allowed,
                     format_func=lambda i: candidates.get(i, i) if i else "(no parent)",
                     help=f"A {block_type}'s parent may be: {', '.join(allowed) or 'none'}")
        st.text_input("Title", key="new_title")
        st.text_input("Id", key="new_id", placeholder="made from the title when empty")
        st.button("Create", key="create", icon=":material/note_add:", on_click=create_block, args=(reads.api,))


def create_block(api: ProjectAPI) -> None:
    state = st.session_state
    try:
        change = api.new_block(state.get("new_type"), (state.get("new_id") or "").strip() or None,
                               title=(state.get("new_title") or "").strip() or None,
                               parent=state.get("new_parent") or None)
        api.apply(change)
    except UserError as error:
        flash("error", str(error))
        return
    state[SELECT] = parse_text(change.path, change.new_text).id
    state["new_id"] = state["new_title"] = ""
    flash("success", f"Created {change.path}")
