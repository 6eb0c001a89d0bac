"""The start page, shown while the folder the studio serves holds no project: make one here
(empty, or the sample film "Night Ferry"), in this folder or a new folder inside it, or open
a project opened lately."""

from __future__ import annotations

from pathlib import Path

import streamlit as st

from cinefile.daemon.api.scaffold import init_project
from cinefile.daemon.errors import UserError
from cinefile.studio.context import (forget_project, open_folder, recent_projects, remember_project, show_error,
                                     studio_folder)


def target_folder(served: Path, name: str) -> Path:
    """`name` as a folder inside the served one ("" for the folder itself); never outside it."""
    name = name.strip()
    target = (served / name).resolve() if name else served
    if Path(name).is_absolute() or (target != served and served not in target.parents):
        raise UserError(f"{name}: give a folder name inside {served}, or leave it empty for this folder")
    return target


def create(served: Path, sample: bool) -> None:
    try:
        target = target_folder(served, st.session_state.get("new_folder") or "")
        project = init_project(target, sample=sample, name=(st.session_state.get("project_name") or "").strip() or None)
    except UserError as error:
        st.session_state["start_error"] = str(error)
        return
    switch_to(project.root, served)


def switch_to(root: Path, served: Path) -> None:
    if root != served:
        open_folder(root)
    forget_project(root)  # opened afresh on the next run, with its watcher
    remember_project(root)


served = studio_folder()
st.title("cinefile studio")
st.write(f"`{served}` holds no cinefile project yet.")
if message := st.session_state.pop("start_error", None):
    show_error(UserError(message))

new, recent = st.columns(2, gap="large")
with new:
    st.subheader("Start a film")
    st.text_input("Folder", key="new_folder", placeholder="empty: this folder",
                  help="A new folder inside this one, or empty to make the project here")
    st.text_input("Film title", key="project_name", placeholder="from the folder's name")
    empty, sample = st.columns(2)
    empty.button("Create an empty project", key="create_empty", type="primary", icon=":material/add_circle:",
                 on_click=create, args=(served, False))
    sample.button("Create the sample film", key="create_sample", icon=":material/movie:", on_click=create,
                  args=(served, True), help="Night Ferry: a short film of 20 blocks, some of them stale")
with recent:
    st.subheader("Recent projects")
    folders = recent_projects()
    if not folders:
        st.caption("None yet: projects you open in the studio are listed here.")
    for number, folder in enumerate(folders):
        st.button(f"{folder.name}  \n{folder}", key=f"open_recent_{number}", icon=":material/folder_open:",
                  on_click=switch_to, args=(folder, served))
