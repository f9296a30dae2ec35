"""The socket server's garbage collector settings (issue 20, ``miel.asgi.tune_gc``)."""

from __future__ import annotations

import gc

from miel.asgi import tune_gc


def test_tune_gc_freezes_what_is_loaded_and_sets_the_thresholds():
    before = gc.get_threshold()
    try:
        tune_gc([20000, 20, 50])
        assert gc.get_threshold() == (20000, 20, 50)
        assert gc.get_freeze_count() > 10_000  # the loaded application, out of collections
    finally:
        gc.unfreeze()
        gc.set_threshold(*before)


def test_no_thresholds_change_nothing():
    before = gc.get_threshold()
    tune_gc([])
    assert gc.get_threshold() == before
    assert gc.get_freeze_count() == 0
