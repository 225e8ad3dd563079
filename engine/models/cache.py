"""``load_once``: ``functools.lru_cache`` for model loaders, safe when several requests arrive at once.

``lru_cache`` alone lets two threads that miss at the same moment both load the model: on a server
taking concurrent requests (engine/models/batching.py) that meant two copies in memory, and two
language-model objects whose requests could never share a batch. Here the first caller loads and
the others wait for its result.

What a loader returns lives as long as the process: millions of objects (WordNet's index, tokenizer
vocabularies, module trees) that every full garbage collection would walk again, 0.2-0.4 s each with
the GIL held, stalling the decoder and every request (measured: 2.3 s of a 28 s run of 24 concurrent
Creates). After each load the heap is frozen (``gc.freeze``): the collector skips what exists now and
collects what is made later as before.
"""
from __future__ import annotations

import gc
import threading
from functools import lru_cache, wraps


def load_once(maxsize: int):
    def decorate(function):
        cached = lru_cache(maxsize=maxsize)(function)
        lock = threading.RLock()

        @wraps(function)
        def load(*args, **kwargs):
            with lock:
                misses = cached.cache_info().misses
                value = cached(*args, **kwargs)
                if cached.cache_info().misses != misses:  # loaded just now
                    gc.freeze()
                return value

        load.cache_clear = cached.cache_clear
        load.cache_info = cached.cache_info
        return load
    return decorate
