"""``load_once``: ``functools.lru_cache`` for model loaders, safe when several requests arrive at once.

``lru_cache`` alone lets two threads that miss at the same moment both load the model: on a server
taking concurrent requests (engine/models/batching.py) that meant two copies in memory, and two
language-model objects whose requests could never share a batch. Here the first caller loads and
the others wait for its result.
"""
from __future__ import annotations

import threading
from functools import lru_cache, wraps


def load_once(maxsize: int):
    def decorate(function):
        cached = lru_cache(maxsize=maxsize)(function)
        lock = threading.RLock()

        @wraps(function)
        def load(*args, **kwargs):
            with lock:
                return cached(*args, **kwargs)

        load.cache_clear = cached.cache_clear
        load.cache_info = cached.cache_info
        return load
    return decorate
