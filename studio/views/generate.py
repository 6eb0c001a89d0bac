"""The Generate page: the storyboard (shots by scene with their stills, stale marks, approve
and regenerate, video and audio players), a lookbook of character, location and costume
stills, the animatic, and batch generation. Every decision is the project API's: what is
stale, which still is approved, whether video may start (it needs an approved still)."""

from __future__ import annotations

import streamlit as st

from cinefile.daemon.errors import UserError
from cinefile.daemon.remote.missing import not_here_line
from cinefile.daemon.generate.reference_images import references_line
from cinefile.studio.context import generation_keys, show_error
from cinefile.studio.generation_panel import (batch_generation, generation_progress, generation_running,
                                              session_mode, session_models, start_generation)
from cinefile.studio.phase_page import followed_project

LOOKBOOK_TYPES = ("character", "location", "costume")
COLUMNS = 3
VIDEO_AS_IMAGE = (".gif",)  # the mock's video without ffmpeg is an animated GIF: st.video cannot play it


def scenes_with_shots(blocks) -> list[tuple[object, list]]:
    """(scene, its shots) in story order, from the API's story-order tree: a shot belongs to
    the scene it is under, at any depth (a breakdown between them or not); shots under no
    scene come last, with None for their scene."""
    groups: list[tuple[object, list]] = []
    loose: list = []
    scene = None
    for block in blocks:
        if scene is not None and block.depth <= scene.depth:
            scene = None
        if block.type == "scene":
            scene = block
            groups.append((block, []))
        elif block.type == "shot":
            (groups[-1][1] if scene is not None else loose).append(block)
    return [group for group in groups if group[1]] + ([(None, loose)] if loose else [])


def media(block, role: str) -> list:
    """The block's assets of a role that are here, oldest first (file order)."""
    return [asset for asset in block.assets if asset.role == role and asset.path]


def shown(assets: list):
    """The approved asset, else the newest."""
    return next((asset for asset in assets if asset.approved), assets[-1] if assets else None)


def state_line(block) -> None:
    if block.state == "stale":
        st.markdown(f":orange-badge[:material/warning: stale] {block.stale_reason}")
    elif block.state == "broken":
        st.markdown(f":red-badge[:material/error: broken] {block.stale_reason}")
    elif block.state == "unreviewed":
        st.markdown(":gray-badge[never reviewed]")


def missing_line(api, block) -> None:
    """Linked media that are not here (not pulled yet): said, with how to fetch them."""
    missing = sum(1 for asset in block.assets if not asset.path)
    if missing:
        st.caption(not_here_line(missing, api.project.config.remote is not None))


def approve_button(api, block, still) -> None:
    if st.button("Approve", key=f"approve_{block.id}", icon=":material/check:", disabled=generation_running()):
        try:
            approved = api.approve([block.id], kind="image", asset=still.sha256)
        except UserError as error:
            show_error(error)
        else:
            st.toast(approved[0].message)
            st.rerun()


def stills(api, block) -> None:
    """The approved still (else the newest), and a newer one waiting for approval."""
    found = media(block, "still")
    main = shown(found)
    waiting = found[-1] if found and not found[-1].approved else None
    if main is None:
        st.caption("no still yet")
        return
    st.image(str(api.root / main.path), width="stretch")
    if main is waiting:
        st.markdown(":gray-badge[not approved]")
        approve_button(api, block, waiting)
        return
    st.markdown(":green-badge[:material/check: approved]")
    if waiting is not None:
        st.caption("A newer still waits for approval:")
        st.image(str(api.root / waiting.path), width="stretch")
        approve_button(api, block, waiting)


def players(api, block) -> None:
    video = shown(media(block, "video"))
    if video is not None:
        path = api.root / video.path
        if path.suffix in VIDEO_AS_IMAGE:
            st.image(str(path))
        else:
            st.video(str(path))
    audio = shown(media(block, "audio"))
    if audio is not None:
        st.audio(str(api.root / audio.path))


def media_card(api, block, video: tuple[bool, str] | None, references: str = "") -> None:
    """One block of the grid. `video`: whether video can start now, and why not or what it
    costs (None: the block's type takes no video). `references`: the reference images its
    next still goes with, as a line ('' for none)."""
    with st.container(border=True, key=f"card_{block.id}"):
        st.markdown(f"**{block.title or block.id}** · `{block.id}`")
        state_line(block)
        missing_line(api, block)
        stills(api, block)
        if references:
            st.caption(f"Next still {references}")
        players(api, block)
        busy = generation_running()
        has_still = bool(media(block, "still"))
        left, right = st.columns(2)
        left.button("Regenerate" if has_still else "Generate still", key=f"regenerate_{block.id}",
                    icon=":material/refresh:", disabled=busy, on_click=start_generation,
                    args=(api, [(block.id, "image")]), kwargs={"force": has_still})
        if video is not None:
            allowed, note = video
            right.button("Video", key=f"video_{block.id}", icon=":material/movie:", disabled=busy or not allowed,
                         help=note, on_click=start_generation, args=(api, [(block.id, "video")]))


def video_plans(api, blocks) -> dict[str, tuple[bool, str]]:
    """For each block whose type takes video: whether video can start now and what it would
    cost, or why not (a shot needs an approved still). The API's plan says, for all at once."""
    takes_video = [block.id for block in blocks if "video" in api.kinds_for(block.type)]
    if not takes_video:
        return {}
    plan = api.plan_generation([(key, "video") for key in takes_video], session_mode(), keys=generation_keys(),
                               models=session_models())
    found = {job.key: (True, f"Video with `{job.model}` · {api.cost_text(job)}") for job in plan.jobs}
    found.update({issue.id: (False, issue.message) for issue in plan.errors})
    return found


def still_references(api, blocks) -> dict[str, str]:
    """For each block whose next still goes with reference images (a shot's characters' and
    places' approved looks): which, as a line. The API's plan says, for all at once."""
    takes_stills = [block.id for block in blocks if "image" in api.kinds_for(block.type)]
    if not takes_stills:
        return {}
    plan = api.plan_generation([(key, "image") for key in takes_stills], session_mode(), keys=generation_keys(),
                               models=session_models())
    return {job.key: references_line(job.reference_images) for job in plan.jobs if job.reference_images}


def grid(api, blocks) -> None:
    videos = video_plans(api, blocks)
    references = still_references(api, blocks)
    columns = st.columns(COLUMNS)
    for number, block in enumerate(blocks):
        with columns[number % COLUMNS]:
            media_card(api, block, videos.get(block.id), references.get(block.id, ""))


def unique(blocks) -> list:
    """One card per id: a duplicated id (a problem the phase pages show) must not break the
    page's widget keys."""
    seen: set[str] = set()
    return [block for block in blocks if not (block.id in seen or seen.add(block.id))]


def storyboard(api) -> None:
    groups = scenes_with_shots(api.blocks())
    if not groups:
        st.info("No shots yet: add shot blocks on the Shooting page.")
    for scene, shots in groups:
        st.subheader(f"{scene.title or scene.id} · `{scene.id}`" if scene is not None else "Shots under no scene")
        if scene is not None:
            state_line(scene)
        grid(api, unique(shots))


def lookbook(api) -> None:
    for type_name in LOOKBOOK_TYPES:
        blocks = unique(api.blocks(type=type_name))
        if blocks:
            st.subheader(type_name.replace("_", " ").capitalize() + "s")
            grid(api, blocks)


def animatic(api) -> None:
    """Build the animatic (the API skips it, with the reason, without ffmpeg) and play it."""
    fmt = next(f for f in api.export_formats() if f.name == "animatic")
    st.caption(fmt.description + (f"; needs {fmt.needs}" if fmt.needs else ""))
    if st.button("Build the animatic", key="animatic_build", icon=":material/movie_edit:"):
        bar = st.progress(0.0, text="Building the animatic…")

        def report(step: str, done: float, total: float) -> None:
            if step == "animatic" and total:
                bar.progress(min(1.0, done / total), text=f"Encoding: {done:.0f} of {total:.0f} s")

        try:
            result = api.export([fmt.name], progress=report)
        except UserError as error:
            show_error(error)
        else:
            for skipped in result.skipped:
                show_error(UserError(skipped.reason))
            if result.files:
                st.success(f"Built {', '.join(f.path for f in result.files)}", icon=":material/check:")
        finally:
            bar.empty()
    for name in fmt.files:
        path = api.project.exports / name
        if path.is_file():
            st.video(str(path))


api = followed_project().api
st.title("Generate")
with st.expander("Batch generation", icon=":material/auto_awesome:"):
    batch_generation(api, progress=False)
generation_progress()
SECTIONS = {"Storyboard": storyboard, "Lookbook": lookbook, "Animatic": animatic}
for tab, section in zip(st.tabs(list(SECTIONS)), SECTIONS.values(), strict=True):
    with tab:
        try:
            section(api)
        except UserError as error:
            show_error(error)
