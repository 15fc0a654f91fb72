"""One cache for the figures, keyed on the database's data version.

`@cached` memoises a figure function `fn(store, ...)` on (function, database path, `store.data_version()`,
arguments). The data version is read from the database on every call (one tiny query), and every committed
data write moves it on — an upload, a revert or a registry change, from this process, another process, the
command line or another server — so the next call after such a write misses the cache and recomputes: a page
never serves stale figures, and a rerun without a write costs only the version read. Entries of another
version of the same database are dropped as soon as a new version is seen. Callers get their own copy of a
cached frame or dict, so changing it cannot change the cache. In-memory databases (tests) are not cached.
"""
from __future__ import annotations

import copy
import functools
import threading
from collections import OrderedDict

import pandas as pd

MAX_ENTRIES = 256
MAX_BYTES = 256 * 1024 * 1024          # frames larger than this together are evicted oldest first

_lock = threading.Lock()
_entries: OrderedDict[tuple, tuple[object, int]] = OrderedDict()
_versions: dict[str, int] = {}          # database path → the data version last seen
_stats = {"hits": 0, "misses": 0}


def _freeze(v):
    if isinstance(v, (list, tuple)):
        return tuple(_freeze(x) for x in v)
    if isinstance(v, (set, frozenset)):
        return tuple(sorted(map(_freeze, v)))
    if isinstance(v, dict):
        return tuple(sorted((k, _freeze(x)) for k, x in v.items()))
    return v


def _size(v) -> int:
    if isinstance(v, pd.DataFrame):
        return int(v.memory_usage(index=True, deep=False).sum())
    if isinstance(v, dict):
        return sum(_size(x) for x in v.values())
    return 64


def _copy(v):
    if isinstance(v, pd.DataFrame):
        return v.copy()
    if isinstance(v, (dict, list)):
        return copy.deepcopy(v)
    return v


def cached(fn):
    """Memoise fn(store, *args, **kwargs) on the store's path and data version."""
    name = f"{fn.__module__}.{fn.__qualname__}"

    @functools.wraps(fn)
    def run(store, *args, **kwargs):
        path = str(store.path)
        if path == ":memory:":        # no lasting identity: two in-memory stores may share a version number
            return fn(store, *args, **kwargs)
        version = store.data_version()
        key = (name, path, version, _freeze(args), _freeze(kwargs))
        with _lock:
            hit = _entries.get(key)
            if hit is not None:
                _entries.move_to_end(key)
                _stats["hits"] += 1
                return _copy(hit[0])
            _stats["misses"] += 1
        value = fn(store, *args, **kwargs)
        with _lock:
            if _versions.get(path) != version:        # a write (or a restore) since: the older figures go
                _versions[path] = version
                for k in [k for k in _entries if k[1] == path and k[2] != version]:
                    del _entries[k]
            _entries[key] = (value, _size(value))
            _evict()
        return _copy(value)

    run.uncached = fn
    return run


def _evict() -> None:
    total = sum(n for _, n in _entries.values())
    while _entries and (len(_entries) > MAX_ENTRIES or total > MAX_BYTES):
        _, (_, n) = _entries.popitem(last=False)
        total -= n


def clear() -> None:
    with _lock:
        _entries.clear()
        _versions.clear()


def stats() -> dict:
    """Hits and misses since start (for the bench and the tests)."""
    with _lock:
        return {**_stats, "entries": len(_entries)}
