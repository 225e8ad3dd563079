"""engine/core/interleave.py: several streams at once, their items merged, errors and closing passed on."""
from __future__ import annotations

import threading
import time

import pytest

from engine.core.interleave import interleave


def _counting(name: str, count: int, closed: list, pause: float = 0.0, fail_at: int | None = None):
    try:
        for index in range(count):
            if index == fail_at:
                raise ValueError(f"{name} broke at {index}")
            time.sleep(pause)
            yield f"{name}{index}"
    finally:
        closed.append(name)  # what a decoder stream does here: free its row


def test_items_of_both_streams_arrive_while_both_run():
    closed: list = []
    got = list(interleave({"a": _counting("a", 5, closed, 0.02), "b": _counting("b", 5, closed, 0.02)}))
    assert sorted(got) == sorted([("a", f"a{i}") for i in range(5)] + [("b", f"b{i}") for i in range(5)])
    keys = [k for k, _ in got]
    assert keys.index("b") < len(keys) - keys[::-1].index("a") - 1  # b began before a ended: at once
    for key in "ab":  # each stream's own order is kept
        assert [v for k, v in got if k == key] == [f"{key}{i}" for i in range(5)]
    assert sorted(closed) == ["a", "b"]


def test_an_error_in_one_stream_is_raised_and_the_other_is_closed():
    closed: list = []
    with pytest.raises(ValueError, match="b broke at 2"):
        list(interleave({"a": _counting("a", 1000, closed, 0.01), "b": _counting("b", 5, closed, 0.01, fail_at=2)}))
    deadline = time.monotonic() + 5
    while len(closed) < 2 and time.monotonic() < deadline:
        time.sleep(0.01)
    assert sorted(closed) == ["a", "b"]  # the long stream stopped at its next item, not after 1000


def test_closing_the_merged_stream_closes_every_stream():
    closed: list = []
    merged = interleave({"a": _counting("a", 1000, closed, 0.01), "b": _counting("b", 1000, closed, 0.01)})
    next(merged)
    merged.close()  # a cancelled UI event
    deadline = time.monotonic() + 5
    while len(closed) < 2 and time.monotonic() < deadline:
        time.sleep(0.01)
    assert sorted(closed) == ["a", "b"]
    assert not [t for t in threading.enumerate() if t.name.startswith("interleave-")]
