"""The Shooting phase: its blocks in story order, a block's editor, new blocks (see phase_page.py)."""

from cinefile.studio.phase_page import render_phase_page

render_phase_page("Shooting")
