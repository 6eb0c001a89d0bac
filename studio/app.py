"""The studio's entry script: `streamlit run` (through `cinefile studio`) runs it on every
interaction. It builds the navigation of the four phases and the tools, draws the sidebar,
and runs the page the user is on. With no project in the folder, only the start page."""

from __future__ import annotations

import streamlit as st

from cinefile.studio.context import project_api
from cinefile.studio.sidebar import render_sidebar

st.set_page_config(page_title="cinefile studio", page_icon=":material/movie:", layout="wide")

api = project_api()
if api is None:
    page = st.navigation([st.Page("views/start.py", title="Start", icon=":material/add_circle:")])
else:
    page = st.navigation({
        "Phases": [
            st.Page("views/story.py", title="Story", icon=":material/menu_book:", default=True),
            st.Page("views/design.py", title="Design", icon=":material/palette:"),
            st.Page("views/shooting.py", title="Shooting", icon=":material/videocam:"),
            st.Page("views/generate.py", title="Generate", icon=":material/auto_awesome:"),
        ],
        "Project": [
            st.Page("views/history.py", title="History", icon=":material/history:"),
            st.Page("views/exports.py", title="Export and import", icon=":material/ios_share:"),
            st.Page("views/graph.py", title="Dependencies", icon=":material/account_tree:"),
        ],
    })
    render_sidebar(api)
page.run()
