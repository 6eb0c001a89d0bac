"""The studio: the guided four-phase web app (Streamlit) over the same project folder the
editor and the command line work on. A thin layer over the project API, like `cli/`:
pages convert widgets to API calls and results to widgets, and hold no rules.

`app.py` is the entry script (navigation and sidebar); each page is a small file in
`views/` (not `pages/`: Streamlit would run a file there on its own, without the entry
script); `context.py` gives a page the project API and the session's own state (API keys
typed in the sidebar live only there: never on disk, in the index, a log or a URL)."""
