"""Fixtures for the generation tests: the fake APIs wired in, keys, and a clock that never waits."""

from __future__ import annotations

import contextlib
import functools
import threading

import pytest

from cinefile.daemon.api import ProjectAPI
from cinefile.daemon.generate import addresses
from cinefile.daemon.generate import http as http_module
from cinefile.daemon.project import Project
from cinefile.daemon.generate.http import Clock
from cinefile.daemon.generate.keys import ENV_NAMES, Keys, Secret
from cinefile.daemon.generate.runner import Generator

from fake_apis import CDN_HOST, OPENROUTER_KEY, REPLICATE_KEY, FakeAPIs

# What host names resolve to in the tests: the fake CDN is not looked up offline. A test adds
# its own (a name that leads to a private address) with `monkeypatch.setitem`.
FAKE_DNS: dict[str, list[str]] = {CDN_HOST: ["151.101.2.132"]}


def fake_resolve(host: str) -> list[str]:
    if host not in FAKE_DNS:
        raise OSError(f"[Errno -2] Name or service not known: {host}")
    return FAKE_DNS[host]


class FakeClock(Clock):
    """Time that moves only when generation waits; it records every wait."""

    def __init__(self) -> None:
        self.t = 0.0
        self.slept: list[float] = []
        self.lock = threading.Lock()

    def now(self) -> float:
        return self.t

    def sleep(self, seconds: float, cancel: threading.Event) -> bool:
        with self.lock:
            self.slept.append(seconds)
            self.t += seconds
        return cancel.is_set()


@pytest.fixture
def fake(monkeypatch) -> FakeAPIs:
    apis = FakeAPIs()
    monkeypatch.setattr(http_module, "TRANSPORT", apis.transport())
    monkeypatch.setattr(addresses, "resolve", fake_resolve)
    for names in ENV_NAMES.values():
        for name in names:
            monkeypatch.delenv(name, raising=False)
    monkeypatch.delenv("OPENROUTER_BASE_URL", raising=False)
    monkeypatch.delenv("REPLICATE_BASE_URL", raising=False)
    return apis


@pytest.fixture
def keys() -> Keys:
    return Keys(Secret(OPENROUTER_KEY), Secret(REPLICATE_KEY))


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def generator(sample, index_of, fake, keys, clock):
    """A Generator on the sample film, talking to the fake APIs, whose results the project API
    writes as `generate` does. The sample's bodies are hand-written: these tests are about the
    providers, so results replace them (`overwrite`) unless told otherwise."""
    with contextlib.ExitStack() as stack:
        def make(overwrite: bool = True, **options) -> Generator:
            project = Project(sample.root)  # reads cinefile.toml afresh
            index = options.pop("index", None) or index_of(project)
            api = ProjectAPI(project, index=index)
            write = functools.partial(api.write_result, overwrite=overwrite)
            return stack.enter_context(Generator(project, index, keys=options.pop("keys", keys), clock=clock, apply=write,
                                                 **options))

        yield make


@pytest.fixture
def env_keys(monkeypatch, fake, clock):
    """Keys in the environment, for the CLI; its waits go through the fake clock."""
    from cinefile.daemon.generate import runner

    monkeypatch.setenv("OPENROUTER_API_KEY", OPENROUTER_KEY)
    monkeypatch.setenv("REPLICATE_API_TOKEN", REPLICATE_KEY)
    monkeypatch.setattr(runner, "Clock", lambda: clock)
    return fake
