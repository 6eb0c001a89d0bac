"""The sidebar every project page shares: the project at a glance, the generation mode and
models of this session, spend against the budget, and the session's API keys.

What it sets, for the pages that generate (all in `st.session_state`, this session only):
`mode` ("draft" or "final"), `models` ({kind: model id}, only the kinds picked by hand) and,
through `context.session_keys()`, the keys typed here. Keys are masked, kept in memory only,
and never written to disk, the index, a log, the URL or an export.
"""

from __future__ import annotations

from functools import partial

import streamlit as st

from cinefile.daemon.api import ProjectAPI
from cinefile.daemon.errors import UserError
from cinefile.format.config import MODES
from cinefile.studio.context import generation_keys, live_project, remember_project, session_keys, show_error

MODE = "mode"
MODELS = "models"  # {kind: model id}
KINDS = ("text", "image", "video", "audio")
PROVIDERS = {"openrouter": ("OpenRouter", "text"), "replicate": ("Replicate", "images, video and audio")}
_LISTINGS = "sidebar_model_listings"  # (kind, keys) -> ModelListing: asked once per session and keys
_REMEMBERED = "sidebar_remembered"


def render_sidebar(api: ProjectAPI) -> None:
    with st.sidebar:
        if st.session_state.get(_REMEMBERED) != str(api.root):
            remember_project(api.root)  # for the start page's "recent projects"
            st.session_state[_REMEMBERED] = str(api.root)
        take_typed_keys()
        for section in (project_summary, mode_switch, model_pickers, spend, key_inputs):
            try:
                section(api)
            except UserError as error:
                show_error(error)


def project_summary(api: ProjectAPI) -> None:
    live = live_project()
    # Counts only (no list of each stale block and problem): every save reruns this, and the
    # lists took most of a save's second at 100,000 blocks (measured).
    counted = partial(api.status, shown=0)
    status = live.remembered(("status",), counted) if live is not None and live.api is api else counted()
    counts = status.counts
    st.header(status.project)
    blocks, stale, problems = st.columns(3)
    blocks.metric("Blocks", status.blocks)
    stale.metric("Stale", counts["stale"])
    problems.metric("Problems", counts["problems"])
    extra = [f"{counts['broken']} broken"] if counts["broken"] else []
    extra += [f"{counts['unreviewed']} never reviewed"] if counts["unreviewed"] else []
    if extra:
        st.caption(" · ".join(extra))


def mode_switch(api: ProjectAPI) -> None:
    project_mode = api.project.config.mode
    st.session_state.setdefault(MODE, project_mode)
    st.radio("Generation mode", MODES, key=MODE, horizontal=True, format_func=str.capitalize,
             help="Draft uses cheap models to iterate, final the best ones. For this session; "
                  f"the project's own mode (cinefile.toml) is {project_mode}.")
    chosen = st.session_state[MODE]
    st.caption(f"**{chosen.capitalize()} mode** for generation in this session"
               + ("" if chosen == project_mode else f" (the project says {project_mode})"))


def model_pickers(api: ProjectAPI) -> None:
    picked: dict[str, str] = {}
    notes: list[str] = []
    with st.expander("Models", icon=":material/tune:"):
        for kind in KINDS:
            listing = model_listing(api, kind)
            notes += [n for n in [*listing.notes, *listing.errors] if n not in notes]
            labels: dict[str, str] = {}
            for model in sorted(listing.models, key=lambda m: (m.tier != "draft", m.id)):
                labels.setdefault(model.id, f"{model.tier} · {model.id} · {model.price}")
            options = ["", *labels]
            if st.session_state.get(f"model_{kind}") not in options:
                st.session_state[f"model_{kind}"] = ""  # a model of a list that changed (a key typed or removed)
            choice = st.selectbox(kind.capitalize(), options, key=f"model_{kind}",
                                  format_func=lambda i, labels=labels: labels.get(i, "automatic, for the mode"))
            if choice:
                picked[kind] = choice
        for note in notes:
            st.caption(note)
    st.session_state[MODELS] = picked


def model_listing(api: ProjectAPI, kind: str):
    """The models of a kind, asked of the providers once per session and set of keys (a
    provider's list may be a network call)."""
    keys = generation_keys()
    # A new key, a new list; only a salted hash of the keys, in memory, marks which.
    cache_key = (kind, hash(tuple(k and k.reveal() for k in (keys.openrouter, keys.replicate))))
    listings = st.session_state.setdefault(_LISTINGS, {})
    if cache_key not in listings:
        listings[cache_key] = api.models(kind, keys=keys)
    return listings[cache_key]


def spend(api: ProjectAPI) -> None:
    from cinefile.daemon.generate.settings import settings_of

    total = float(api.cost().get("total") or 0)
    budget = settings_of(api.project.config).budget_usd
    if budget:
        st.progress(min(total / budget, 1.0), text=f"Spent ${total:.2f} of the ${budget:.2f} budget")
    else:
        st.caption(f"Spent ${total:.2f} so far · no budget set (`[budget] limit_usd` in cinefile.toml)")


def take_typed_keys() -> None:
    """Copy the key fields into the session's keys before anything uses them (the fields
    are drawn last, at the bottom of the sidebar)."""
    typed = session_keys()
    for provider in PROVIDERS:
        value = (st.session_state.get(f"key_{provider}") or "").strip()
        if value:
            typed[provider] = value
        else:
            typed.pop(provider, None)


def key_inputs(api: ProjectAPI) -> None:
    with st.expander("API keys", icon=":material/key:", expanded=False):
        for provider, (name, kinds) in PROVIDERS.items():
            st.text_input(f"{name} key ({kinds})", type="password", key=f"key_{provider}",
                          help="For this browser session only: kept in memory, never saved. "
                               "A key typed here wins over the environment's.")
    st.caption(keys_line(session_keys()))


def keys_line(typed: dict[str, str]) -> str:
    """Where each provider's key comes from, or that its kinds run on the free mock."""
    found = generation_keys()
    if found.openrouter is None and found.replicate is None:
        return "No keys: generation runs the free mock (offline, real files)."
    parts = []
    for provider, (name, kinds) in PROVIDERS.items():
        if provider in typed:
            parts.append(f"{name}: the key typed here")
        elif getattr(found, provider) is not None:
            parts.append(f"{name}: the environment's key")
        else:
            parts.append(f"{name}: no key, {kinds} run on the free mock")
    return " · ".join(parts)
