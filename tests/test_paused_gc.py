"""The cyclic collector is paused around a sync or a model load, and put back as it was."""

from __future__ import annotations

import gc

import pytest
from cinefile.daemon.index.paused_gc import paused_gc


@pytest.fixture(autouse=True)
def collector_as_it_was():
    enabled = gc.isenabled()
    yield
    (gc.enable if enabled else gc.disable)()


def test_paused_inside_and_back_on_after_even_when_the_work_fails():
    gc.enable()
    with pytest.raises(RuntimeError), paused_gc():
        assert not gc.isenabled()
        raise RuntimeError("the work failed")
    assert gc.isenabled()


def test_a_collector_paused_already_stays_paused():
    gc.disable()
    with paused_gc():
        assert not gc.isenabled()
    assert not gc.isenabled()
