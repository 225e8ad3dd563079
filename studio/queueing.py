"""Which events share a queue slot, and how many of them run at once."""
from __future__ import annotations

from engine.models.batching import DEFAULT_BATCHING, RequestBatching


def copy_events(batching: RequestBatching | None = None) -> dict:
    """Queue settings for writing one product's copy (Create, Regenerate, Reproduce, ``/generate``).

    With request batching on (the server's default), up to one batched decode's worth of them run at
    once and their language-model calls are decoded together; further requests wait in line with their
    position shown. Off (``launch.py --no-batching``), they share the one model slot with every other
    model event, one at a time. ``batching``: the Studio's (``Studio.request_batching``; None:
    ``DEFAULT_BATCHING``)."""
    batching = (batching or DEFAULT_BATCHING).as_dict()
    if not batching["enabled"]:
        return {"concurrency_id": "model"}
    return {"concurrency_id": "copy", "concurrency_limit": batching["max_batch"]}
