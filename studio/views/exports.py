"""The Export and import page: build any export the API offers and download its files; import
a Fountain screenplay from an upload (a revised draft updates the scenes the project has),
with a preview of what it will create, update and remove before anything is written.

An upload is checked (a `.fountain` name, at most 10 MB) and lands only inside the project:
in a hidden temporary folder under exports/, removed as soon as the API has read it."""

from __future__ import annotations

import mimetypes
import re
import tempfile
from contextlib import contextmanager
from pathlib import Path

import streamlit as st

from cinefile.daemon.errors import UserError
from cinefile.daemon.inside import folder_inside
from cinefile.studio.context import project_api, show_error

MAX_UPLOAD_MB = 10
SCREENPLAY_SUFFIX = ".fountain"
IMPORTED_STATE = "imported_upload"  # the file_id of the upload imported already: never twice
MIME_TYPES = {".md": "text/markdown", ".csv": "text/csv", ".fountain": "text/plain", ".json": "application/json"}


# -- exports -------------------------------------------------------------------------------


def export_section(api) -> None:
    formats = {fmt.name: fmt for fmt in api.export_formats()}
    chosen = st.multiselect("Formats", list(formats), default=["summary", "json"], key="export_formats",
                            format_func=lambda name: f"{name}: {formats[name].description}")
    if st.button("Build", key="export_build", icon=":material/build:", disabled=not chosen, type="primary"):
        with st.spinner("Exporting…"):
            result = api.export(chosen)
        for skipped in result.skipped:
            show_error(UserError(skipped.reason))
        if result.files:
            changed = len(result.changed)
            st.success(f"Wrote {len(result.files)} files ({changed} changed): "
                       f"{', '.join(f.path for f in result.files)}", icon=":material/check:")
    downloads(api, formats.values())


def downloads(api, formats) -> None:
    """A download button for each export file there is (read when clicked, not on every run)."""
    files = [(fmt.name, name) for fmt in formats for name in fmt.files if (api.project.exports / name).is_file()]
    if not files:
        st.caption("Nothing exported yet.")
        return
    st.subheader("Download")
    columns = st.columns(3)
    for number, (format_name, name) in enumerate(files):
        path = api.project.exports / name
        columns[number % 3].download_button(
            name, data=path.read_bytes, file_name=name, key=f"download_{name}", icon=":material/download:",
            mime=MIME_TYPES.get(path.suffix) or mimetypes.guess_type(name)[0] or "application/octet-stream",
            on_click="ignore", help=f"exports/{name} ({format_name})")


# -- import --------------------------------------------------------------------------------


def checked_upload(upload) -> None:
    """Refuse what is not a screenplay before it is written anywhere."""
    if Path(upload.name).suffix.lower() != SCREENPLAY_SUFFIX:
        raise UserError(f"{upload.name}: not a Fountain screenplay: upload a {SCREENPLAY_SUFFIX} file")
    if upload.size > MAX_UPLOAD_MB * 2**20:
        raise UserError(f"{upload.name}: {upload.size / 2**20:.1f} MB is too big for a screenplay "
                        f"(at most {MAX_UPLOAD_MB} MB)")


@contextmanager
def upload_in_project(api, upload):
    """The upload as a file inside the project (exports/.import-*/NAME), for as long as the
    API reads it; the name is kept (reports say it) but stripped of anything but a name."""
    checked_upload(upload)
    name = re.sub(r"[^\w.-]", "_", Path(upload.name).name).lstrip(".") or f"screenplay{SCREENPLAY_SUFFIX}"
    folder_inside(api.project.root, api.project.exports).mkdir(exist_ok=True)
    with tempfile.TemporaryDirectory(prefix=".import-", dir=api.project.exports) as folder:
        path = Path(folder) / name
        path.write_bytes(upload.getvalue())
        yield path


def import_section(api) -> None:
    # The browser offers .fountain and plain-text files; the name is checked here, as
    # Streamlit's own check of a name it does not accept ends the page in a traceback.
    upload = st.file_uploader("Fountain screenplay", type=[SCREENPLAY_SUFFIX, "text/plain"], key="import_upload",
                              max_upload_size=MAX_UPLOAD_MB)
    # The options `cinefile import` has: a revised draft updates the scenes the project has.
    options = {
        "prune": st.checkbox("Delete the imported scenes the screenplay no longer has", key="import_prune",
                             help="They stay in history. Without this, they are only listed."),
        "overwrite": st.checkbox("Replace scene text written or edited here too", key="import_overwrite",
                                 help="Otherwise such a scene keeps its text and is listed. The old text stays in history."),
    }
    if upload is None:
        return
    if st.session_state.get(IMPORTED_STATE) == upload.file_id:
        st.success(f"{upload.name} is imported. Upload another screenplay to import it.", icon=":material/check:")
        return
    try:
        with upload_in_project(api, upload) as path:
            preview = api.import_fountain(path, dry_run=True, **options)
        show_preview(preview)
        changes = len(preview.created) + len(preview.updated) + len(preview.removed)
        if changes and st.button(f"Import: {len(preview.created)} new, {len(preview.updated)} updated, "
                                 f"{len(preview.removed)} removed", key="import_confirm", type="primary",
                                 icon=":material/input:"):
            with upload_in_project(api, upload) as path:
                report = api.import_fountain(path, **options)
            st.session_state[IMPORTED_STATE] = upload.file_id
            st.success(report.summary(), icon=":material/check:")
    except UserError as error:
        show_error(error)


def show_preview(preview) -> None:
    st.markdown(f"**Preview** (nothing is written until you import): {preview.summary()}")
    if preview.created:
        st.dataframe([{"id": block.id, "type": block.type, "path": block.path} for block in preview.created],
                     hide_index=True, width="stretch", key="import_preview")
    else:
        st.info("The screenplay makes no new blocks.")
    changes = [{"change": "update", "path": u.path, "detail": ", ".join(u.what)} for u in preview.updated]
    changes += [{"change": "remove" if gone in preview.removed else "gone, kept", "path": gone.path,
                 "detail": gone.kept_reason or ""} for gone in preview.gone]
    changes += [{"change": "kept", "path": c.path, "detail": c.reason} for c in preview.conflicts]
    if changes:
        st.dataframe(changes, hide_index=True, width="stretch", key="import_changes")


api = project_api()
if api is None:
    st.stop()
st.title("Export and import")
export_tab, import_tab = st.tabs(["Export", "Import a screenplay"])
for tab, section in ((export_tab, export_section), (import_tab, import_section)):
    with tab:
        try:
            section(api)
        except UserError as error:
            show_error(error)
