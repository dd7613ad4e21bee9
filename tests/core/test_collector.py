"""A step that pauses Python's garbage collector hands it back as it was, even when the step fails: a long-running
process (the web service, an Airflow worker) whose collector stayed off would grow without bound."""

from __future__ import annotations

import gc

import pytest

from citycredit.core import collector


def test_the_collector_is_paused_inside_and_back_on_after_a_step_even_a_failed_one():
    assert gc.isenabled()
    with collector.paused():
        assert not gc.isenabled()
    assert gc.isenabled()
    with pytest.raises(RuntimeError, match="the step failed"), collector.paused():
        raise RuntimeError("the step failed")
    assert gc.isenabled()


def test_a_collector_switched_off_before_stays_off():
    gc.disable()
    try:
        with collector.paused():
            assert not gc.isenabled()
        assert not gc.isenabled()
    finally:
        gc.enable()
