"""The History page: every version of a block (when, and how: created, updated, renamed,
deleted; in a git repository also its file's commits), the difference between any two (or a version and the file now), and restoring one
through the API's guarded undo: refused when the file changed since the index last saw it,
unless the person chooses to overwrite (that edit goes to history first, so nothing is lost)."""

from __future__ import annotations

import streamlit as st

from cinefile.daemon.api import WriteConflict
from cinefile.daemon.errors import UserError
from cinefile.studio.context import show_error
from cinefile.studio.phase_page import followed_project

NOW = "now"  # the diff's "to" side: the file as it is on disk
CONFLICT_STATE = "history_conflict"  # (id, version) whose restore was refused by a newer edit


def ref_of(revision) -> int | str:
    """How the API names a version: its number, or (a version from git) its commit."""
    return revision.commit or revision.version


def version_rows(revisions) -> list[dict]:
    """The table of versions, newest first: the index's (`v3`) and, in a git repository, the
    file's commits (`abc1234`); a version whose text is an earlier one's says so (an undo, or
    an edit put back by hand)."""
    first_with: dict[str, str] = {}
    rows = []
    for revision in revisions:
        name = revision.label.removesuffix(", deleted")
        same = first_with.get(revision.text) if revision.text is not None else None
        if revision.text is not None:
            first_with.setdefault(revision.text, name)
        note = f"same text as {same}" if same is not None else (f"moved from {revision.moved_from}" if revision.moved_from else "")
        rows.append({"version": name, "action": revision.action, "how": revision.how or "saved in a file",
                     "who": revision.by or "", "when": revision.timestamp, "path": revision.path,
                     "note": " · ".join(part for part in (revision.subject, note) if part)})
    return rows[::-1]


def diff_section(api, block_id: str, revisions) -> None:
    refs = [ref_of(r) for r in revisions][::-1]
    names = {ref_of(r): r.label for r in revisions}
    left, right = st.columns(2)
    start = left.selectbox("From version", refs, key="history_from", format_func=names.__getitem__,
                           index=min(1, len(refs) - 1))
    end = right.selectbox("To", [NOW, *refs], key="history_to",
                          format_func=lambda v: "the file now" if v == NOW else names[v])
    diff = api.diff(block_id, start, None if end == NOW else end)
    if diff:
        st.code(diff, language="diff")
    else:
        st.info("No difference.", icon=":material/check:")


def restore_section(api, block_id: str, revisions) -> None:
    # Earlier versions only: putting back the version the file is at would change nothing.
    restorable = {ref_of(r): r for r in revisions[:-1] if r.text is not None}
    if not restorable:
        st.caption("No earlier version to restore.")
        return
    version = st.selectbox("Restore version", list(restorable)[::-1], key="history_restore_version",
                           format_func=lambda v: restorable[v].label)
    chosen = restorable[version]
    with st.expander(f"Text of {chosen.label}"):
        st.code(chosen.text, language="markdown")
    if st.button(f"Restore {chosen.label}", key="history_restore", icon=":material/restore:"):
        restore(api, block_id, version, force=False)
    if st.session_state.get(CONFLICT_STATE) == (block_id, version):
        st.warning("The file changed since the studio last saw it. Restoring anyway keeps that edit in history.",
                   icon=":material/warning:")
        if st.button("Restore anyway", key="history_restore_force"):
            restore(api, block_id, version, force=True)


def restore(api, block_id: str, version: int | str, *, force: bool) -> None:
    try:
        undone = api.undo(block_id, version, force=force)
    except WriteConflict as conflict:
        st.session_state[CONFLICT_STATE] = (block_id, version)
        show_error(conflict)
        return
    except UserError as error:
        show_error(error)
        return
    st.session_state.pop(CONFLICT_STATE, None)
    st.toast(undone.message, icon=":material/restore:")
    st.rerun()


api = followed_project().api
st.title("History")
titles = {block.id: block.title for block in api.blocks()}
block_id = st.selectbox("Block", list(titles), key="history_block",
                        format_func=lambda key: f"{key} · {titles[key]}" if titles[key] else key)
if block_id:
    try:
        revisions = api.history(block_id)
        st.dataframe(version_rows(revisions), hide_index=True, width="stretch", key="history_versions")
        diff_section(api, block_id, revisions)
        restore_section(api, block_id, revisions)
    except UserError as error:
        show_error(error)
