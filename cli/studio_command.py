"""`cinefile studio`: the guided four-phase web app, served from this machine."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Optional

import typer

from .common import command


@command()
def studio(
    folder: Annotated[Optional[Path], typer.Argument(metavar="DIR", help="The project folder (default: the current one). "
                                                     "With no project there, the studio offers to make one.")] = None,
    port: Annotated[int, typer.Option("--port", metavar="N", help="Port to listen on (default: a free one).")] = 0,
    host: Annotated[str, typer.Option("--host", metavar="H", help="Address to listen on. Any address but 127.0.0.1 "
                                      "(or another loopback one) requires a token.")] = "127.0.0.1",
    token: Annotated[Optional[str], typer.Option("--token", metavar="T", envvar="CINEFILE_TOKEN", show_envvar=True,
                                                 help="Every request must carry this token (16 characters at least): the "
                                                      "URL printed carries it once, then a cookie. Required with --host.")] = None,
    allow_host: Annotated[Optional[list[str]], typer.Option(
        "--allow-host", metavar="NAME", help="Another Host name clients use to reach the studio (repeatable).")] = None,
    no_browser: Annotated[bool, typer.Option("--no-browser", help="Do not open a browser.")] = False,
) -> None:
    """Serve the studio, the web app of the four phases, over the project folder.

    Prints the URL and opens a browser when there is one. It listens on
    127.0.0.1 only: `--host` with any other address refuses to start without
    a token (`--token` or CINEFILE_TOKEN), which every request must then
    carry. Ctrl-C stops it. See docs/studio.md.

    Example:

        cinefile studio                      # the project here, in your browser
        cinefile studio night-ferry --port 8501 --no-browser
        cinefile studio --host 0.0.0.0 --allow-host 192.168.1.20 --token "$TOKEN"
    """
    from cinefile.studio.launch import Settings, serve  # streamlit loads only for this command

    settings = Settings(folder=(folder or Path.cwd()).resolve(), host=host, port=port, token=token or None,
                        open_browser=not no_browser, allow_hosts=tuple(allow_host or ()))
    serve(settings, announce=typer.echo)
