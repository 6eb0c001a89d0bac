"""Rate limits: a request waits out the window (up to 90 s in all), says so on its job's
progress line, and the jobs running at once wait for the same window instead of each asking."""

from __future__ import annotations

import threading

import httpx
import pytest
from cinefile.daemon.generate.rate_limit import WaitBudget, server_wait
from cinefile.daemon.generate.runner import DONE, FAILED, run_batch
from fake_apis import REP_HOST
from generate_fixtures import clock, fake, generator, keys  # noqa: F401  (fixtures)


THROTTLED = {"detail": "Request was throttled. Your rate limit resets in ~30s."}  # the documented body


class Throttle:
    """Replicate refusing prediction creates until the clock reaches `until`, with the
    documented 429 (and `headers`, if given); it records when it refused each one. The first
    `together` creates are held until all have arrived, so that they are refused at once."""

    def __init__(self, fake, clock, until: float, headers: dict | None = None, together: int = 0) -> None:
        self.fake, self.clock, self.until, self.headers = fake, clock, until, headers or {}
        self.refused_at: list[float] = []
        self.arrived = threading.Barrier(together) if together else None
        self.held = together

    def install(self, monkeypatch) -> None:
        from cinefile.daemon.generate import http

        monkeypatch.setattr(http, "TRANSPORT", httpx.MockTransport(self.handle))

    def handle(self, request: httpx.Request) -> httpx.Response:
        creating = request.url.host == REP_HOST and request.method == "POST" and request.url.path.endswith("/predictions")
        arrived = self.clock.now()  # the server judges a request by when it arrives
        with self.fake.lock:
            hold = creating and self.arrived is not None and self.held > 0
            self.held -= hold
        if hold:
            self.arrived.wait(timeout=10)
        if creating and arrived < self.until:
            with self.fake.lock:
                self.refused_at.append(arrived)
                self.fake.log.append((request.method, str(request.url), dict(request.headers)))
            return httpx.Response(429, json=THROTTLED, headers={"content-type": "application/problem+json"} | self.headers)
        return self.fake.handle(request)


def stages_of(generator_, targets, workers=1):
    stages: list[str] = []
    result = run_batch(generator_, targets, None, workers, on_progress=lambda job, stage: stages.append(stage))
    return result, stages


def test_a_30_s_window_outlasts_the_old_retries_and_now_succeeds(sample, generator, fake, clock, monkeypatch):
    throttle = Throttle(fake, clock, until=30.0)
    throttle.install(monkeypatch)
    gen = generator()
    result, stages = stages_of(gen, [("shot-1a", "image")])
    [outcome] = result.outcomes
    assert outcome.status == DONE, outcome.message
    assert throttle.refused_at == [0.0]  # one refused create, then the window had passed
    [wait] = clock.slept[:1]
    assert 30.0 <= wait <= 33.0  # "~30s", and a little after so that not everyone comes back at once
    assert any(stage.startswith("rate limited by Replicate: waiting 3") for stage in stages), stages


def test_retry_after_is_honoured_over_the_detail(sample, generator, fake, clock, monkeypatch):
    Throttle(fake, clock, until=45.0, headers={"retry-after": "45"}).install(monkeypatch)
    gen = generator()
    assert gen.run(gen.plan("shot-1a", "image")).status == DONE
    assert clock.slept[0] == 45.0


def test_the_wait_is_bounded_and_said(sample, generator, fake, clock, monkeypatch):
    throttle = Throttle(fake, clock, until=10**9)
    throttle.install(monkeypatch)
    gen = generator()
    outcome = gen.run(gen.plan("shot-1a", "image"))
    assert outcome.status == FAILED
    assert outcome.message.startswith("Replicate rate limit reached (Request was throttled. Your rate limit resets in ~30s.): "
                                      "waited 6")
    assert sum(clock.slept) <= 90 and len(throttle.refused_at) == 3


def test_jobs_running_at_once_wait_for_the_same_window(sample, generator, fake, clock, monkeypatch):
    """Three jobs are refused together; then one of them waits out the window and asks again,
    alone, while the others wait for it: one request and one wait per window, not three."""
    throttle = Throttle(fake, clock, until=60.0, together=3)  # two windows of "~30s"
    throttle.install(monkeypatch)
    gen = generator()
    result, _ = stages_of(gen, [("shot-1a", "image"), ("shot-1b", "image"), ("shot-2a", "image")], workers=3)
    assert [o.status for o in result.outcomes] == [DONE] * 3, [o.message for o in result.outcomes]
    first, later = [t for t in throttle.refused_at if t == 0.0], [t for t in throttle.refused_at if t > 0.0]
    assert len(first) == 3 and len(later) == 1
    assert len(clock.slept) == 2  # the one job that held the gate waited, twice; the others waited for it


def test_a_job_at_the_gate_is_told_once_and_goes_when_the_window_ends():
    from cinefile.daemon.generate.rate_limit import Gate

    gate, told, held, done = Gate(), [], threading.Event(), threading.Event()

    def holder() -> None:
        gate.hold()
        held.set()
        done.wait(10)
        gate.release()

    thread = threading.Thread(target=holder)
    thread.start()
    held.wait(10)
    releaser = threading.Timer(0.3, done.set)  # pacing only: the assertion is on what was told
    releaser.start()
    gate.enter(threading.Event(), lambda: told.append("waiting"))
    thread.join(10)
    assert told == ["waiting"] and gate.windows == 1 and gate.hold()
    gate.release()


def test_server_wait_reads_every_form_the_apis_use():
    import email.utils
    import time

    def wait(headers=None, body=None):
        return server_wait(httpx.Response(429, headers=headers or {}), body)

    assert wait({"retry-after": "17"}) == 17.0
    assert wait({"retry-after": "3600"}) == 3600.0  # however long: the caller decides whether to wait
    assert 25 <= wait({"retry-after": email.utils.formatdate(time.time() + 30, usegmt=True)}) <= 31
    assert wait(body={"retry_after": 9} | THROTTLED) == 9.0
    assert 30.0 <= wait(body=THROTTLED) <= 33.0
    reset = str(int((time.time() + 40) * 1000))
    assert 38 <= wait(body={"error": {"metadata": {"headers": {"X-RateLimit-Reset": reset}}}}) <= 40
    assert wait(body={"detail": "Not found"}) is None


def test_the_wait_budget_backs_off_with_jitter_and_stops_at_90_s():
    budget = WaitBudget()
    waits = []
    while (wait := budget.next(None)) is not None:
        waits.append(wait)
    assert 0.5 <= waits[0] <= 1.0 and 1.0 <= waits[1] <= 2.0 and max(waits) <= 30.0
    assert 89.0 <= sum(waits) <= 90.0
    assert WaitBudget().next(3600.0) is None  # the server says it lasts longer than we would wait
