"""What the MCP tests share: a copy of the sample film, the real `cinefile mcp` process over
stdio driven by the SDK's own client, and the priced fake provider in a process of its own.

The server's environment holds no provider keys unless a test gives some, so generation runs
on the mock; the providers' APIs point at the fake, so nothing can reach a real one."""

from __future__ import annotations

import atexit
import contextlib
import json
import subprocess
import sys
from pathlib import Path
from typing import AsyncIterator

import httpx
from cinefile.daemon.api.scaffold import init_project
from mcp import Client, StdioServerParameters
from mcp.client.stdio import get_default_environment, stdio_client
from mcp_types import CallToolResult, ElicitResult
from priced_provider import SEEN_PATH

TIMEOUT_S = 30.0
_provider: subprocess.Popen | None = None
_provider_url = ""


def sample_copy(folder: Path) -> Path:
    """The sample film, as `cinefile init --sample` writes it, in `folder`."""
    return init_project(folder / "night-ferry", sample=True).root


def provider_url() -> str:
    """The priced fake provider, started once for the run."""
    global _provider, _provider_url
    if _provider is None:
        _provider = subprocess.Popen([sys.executable, str(Path(__file__).with_name("priced_provider.py"))],
                                     stdout=subprocess.PIPE, text=True)
        atexit.register(_provider.kill)
        _provider_url = f"http://127.0.0.1:{int(_provider.stdout.readline())}"
    return _provider_url


def provider_seen() -> list[str]:
    """The Authorization headers of the generation calls the fake provider has received."""
    return httpx.get(provider_url() + SEEN_PATH).json()


def server_env(**extra: str) -> dict[str, str]:
    """Only what a client passes (the SDK's short list: PATH, HOME, ...), the providers at
    the fake, and `extra`: no key of the test process's environment can reach the server."""
    url = provider_url()
    return get_default_environment() | {"OPENROUTER_BASE_URL": url, "REPLICATE_BASE_URL": url} | extra


def accept(answers: list[str]):
    """An elicitation callback that says yes, noting each question in `answers`."""

    async def answer(context, params) -> ElicitResult:
        answers.append(params.message)
        return ElicitResult(action="accept", content={"confirm": True})

    return answer


def decline(answers: list[str]):
    async def answer(context, params) -> ElicitResult:
        answers.append(params.message)
        return ElicitResult(action="decline")

    return answer


@contextlib.asynccontextmanager
async def session(root: Path, *, env: dict[str, str] | None = None, elicit=None, log: Path | None = None,
                  mode: str = "auto") -> AsyncIterator[Client]:
    """A client session with the real `cinefile mcp ROOT`, over its stdin and stdout; its
    stderr goes to `log` (default: beside the project)."""
    params = StdioServerParameters(command=sys.executable, args=["-m", "cinefile", "mcp", str(root)],
                                   env=env if env is not None else server_env(), cwd=str(root))
    with open(log or root.parent / "mcp-stderr.log", "a") as errors:
        async with Client(stdio_client(params, errlog=errors), mode=mode, elicitation_callback=elicit,
                          read_timeout_seconds=TIMEOUT_S) as client:
            yield client


def text_of(result: CallToolResult) -> str:
    return "\n".join(part.text for part in result.content if part.type == "text")


def data_of(result: CallToolResult) -> dict:
    """A tool's JSON result, which must not be an error."""
    assert not result.is_error, text_of(result)
    return result.structured_content if result.structured_content is not None else json.loads(text_of(result))


def error_of(result: CallToolResult) -> str:
    """A tool's error: one line, never a traceback."""
    assert result.is_error, text_of(result)
    message = result.content[0].text
    assert "\n" not in message and "Traceback" not in message, message
    return message
