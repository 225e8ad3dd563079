"""Several iterators run at once, their items merged as they come: ``interleave``.

The studio server writes a product's title and description at the same time this way, so that the
two become rows of one batched decode (engine/models/batching.py) instead of one waiting for the other.
"""
from __future__ import annotations

import queue
import threading
from dataclasses import dataclass
from typing import Iterator


@dataclass
class _Raised:
    error: BaseException


_DONE = object()


def interleave(streams: dict[str, Iterator]) -> Iterator[tuple[str, object]]:
    """``(key, item)`` from every stream as soon as it produces it; each stream runs in its own thread.

    An exception in one stream closes the others and is raised here. Closing this generator (a cancelled
    UI event) closes every stream at its next item, so a generation stream frees its decoder row."""
    items: queue.Queue = queue.Queue()
    stop = threading.Event()

    def run(key: str, stream: Iterator) -> None:
        try:
            for item in stream:
                if stop.is_set():
                    break
                items.put((key, item))
        except BaseException as exc:  # raised in the caller's thread, not lost in this one
            items.put((key, _Raised(exc)))
        finally:
            close = getattr(stream, "close", None)
            if close is not None:
                close()
            items.put((key, _DONE))

    threads = [threading.Thread(target=run, args=(key, stream), name=f"interleave-{key}", daemon=True)
               for key, stream in streams.items()]
    for thread in threads:
        thread.start()
    running = len(threads)
    try:
        while running:
            key, item = items.get()
            if item is _DONE:
                running -= 1
            elif isinstance(item, _Raised):
                raise item.error
            else:
                yield key, item
    finally:
        stop.set()
