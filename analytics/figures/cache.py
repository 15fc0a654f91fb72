"""One cache for the figures, keyed on the database's data version.

`@cached` memoises a figure function `fn(store, ...)` on (function, database path, `store.data_version()`,
arguments). The data version is read from the database on every call (one tiny query), and every committed
data write moves it on — an upload, a revert or a registry change, from this process, another process, the
command line or another server — so the next call after such a write misses the cache and recomputes: a page
never serves stale figures, and a rerun without a write costs only the version read. Entries of another
version of the same database are dropped as soon as a new version is seen. Callers get their own copy of a
cached frame or dict, so changing it cannot change the cache. In-memory databases (tests) are not cached.

After a write made in this process (an upload or a revert on the pages), `rewarm(store)` recomputes, in a
background thread, the figures most recently asked for (the same calls, for the new version), so the pages
people go to next are already computed. A call asked for while the same call is being computed waits for that
computation instead of running it twice.
"""
from __future__ import annotations

import copy
import functools
from contextlib import contextmanager
import threading
import time
from collections import OrderedDict

import pandas as pd

MAX_ENTRIES = 256
MAX_BYTES = 256 * 1024 * 1024          # frames larger than this together are evicted oldest first

_lock = threading.Lock()
_entries: OrderedDict[tuple, tuple[object, int]] = OrderedDict()
_versions: dict[str, int] = {}          # database path → the data version last seen
_stats = {"hits": 0, "misses": 0, "engine_s": 0.0}   # engine_s: seconds in outermost figure calls, hits included
_depth = threading.local()           # figure functions calling figure functions: time only the outermost
_inflight: dict[tuple, threading.Event] = {}    # key → set when its computation has finished
_recent: OrderedDict[tuple, tuple] = OrderedDict()   # (path, name, args, kwargs) → (wrapper, args, kwargs)
MAX_RECENT = 64
_rewarming: list[threading.Thread] = []
_warmed: set[str] = set()               # database paths warm() has run for in this process


_pin = threading.local()             # inside `pinned()`: path → (store.commits, data version) read this run


@contextmanager
def pinned():
    """One data version for everything this thread computes inside: the version is read once per database (and
    again after a write this process commits meanwhile), so a page run never mixes figures of two versions and
    pays one version read instead of one per figure. app.py runs every page inside it; a write from another
    process is seen on the next run."""
    outer = getattr(_pin, "versions", None)
    if outer is None:
        _pin.versions = {}
    try:
        yield
    finally:
        if outer is None:
            _pin.versions = None


def _version(store) -> int:
    memo = getattr(_pin, "versions", None)
    if memo is None:
        return store.data_version()
    seen = memo.get(store.path)
    if seen is None or seen[0] != store.commits:
        seen = memo[store.path] = (store.commits, store.data_version())
    return seen[1]


def _freeze(v):
    if isinstance(v, (list, tuple)):
        return tuple(_freeze(x) for x in v)
    if isinstance(v, (set, frozenset)):
        return tuple(sorted(map(_freeze, v)))
    if isinstance(v, dict):
        return tuple(sorted((k, _freeze(x)) for k, x in v.items()))
    return v


_NUMERIC_KINDS = frozenset("biufcmM")      # numpy bool, integer, float, complex and date-time columns: 8 bytes a cell
TEXT_CELL_BYTES = 64                       # any other column (text, objects): a generous allowance per cell


def _size(v) -> int:
    """A size estimate for the MAX_BYTES bound, from the shape and the column kinds only (DataFrame.memory_usage
    cost 0.4–1 ms a frame, ~20 ms of a page's first run after a write; the bound needs no exact bytes)."""
    if isinstance(v, pd.DataFrame):
        per_row = sum(8 if getattr(t, "kind", "O") in _NUMERIC_KINDS else TEXT_CELL_BYTES for t in v.dtypes)
        return len(v) * (per_row + 8) + 256
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
        if getattr(_depth, "n", 0):          # inside another figure's computation: its time is counted there
            return lookup(store, *args, **kwargs)
        t0 = time.perf_counter()
        try:
            return lookup(store, *args, **kwargs)
        finally:
            spent = time.perf_counter() - t0
            with _lock:
                _stats["engine_s"] += spent

    def lookup(store, *args, **kwargs):
        path = str(store.path)
        if path == ":memory:":        # no lasting identity: two in-memory stores may share a version number
            return fn(store, *args, **kwargs)
        version = _version(store)
        frozen = (_freeze(args), _freeze(kwargs))
        key = (name, path, version, *frozen)
        while True:
            with _lock:
                _recent[(path, name, *frozen)] = (run, args, kwargs)
                _recent.move_to_end((path, name, *frozen))
                while len(_recent) > MAX_RECENT:
                    _recent.popitem(last=False)
                hit = _entries.get(key)
                if hit is not None:
                    _entries.move_to_end(key)
                    _stats["hits"] += 1
                    return _copy(hit[0])
                busy = _inflight.get(key)
                if busy is None:
                    _stats["misses"] += 1
                    done = _inflight[key] = threading.Event()
                    break
            busy.wait()                  # the same call is being computed (e.g. by rewarm): take its result
        _depth.n = getattr(_depth, "n", 0) + 1
        try:
            value = fn(store, *args, **kwargs)
            with _lock:
                _keep(path, version, key, value)
        finally:
            _depth.n -= 1
            with _lock:
                _inflight.pop(key, None)
            done.set()
        return _copy(value)

    def fill(store, arg_lists: list[tuple], compute_all) -> None:
        """Several calls fn(store, *args) (args from arg_lists) computed together: those not in the cache are
        given, as a list of argument tuples, to compute_all, which returns their values in that order (one query
        for several windows); each value is then cached as fn's own call would have been. The version is read
        before computing, as for a single call; with fewer than two calls missing nothing is done (the ordinary
        call computes it). Timed as a figure call (the bench's engine time)."""
        path = str(store.path)
        if path == ":memory:":
            return
        outer = getattr(_depth, "n", 0)
        t0 = time.perf_counter()
        try:
            version = _version(store)
            keys = [(name, path, version, _freeze(tuple(a)), _freeze({})) for a in arg_lists]
            with _lock:
                todo = [(a, k) for k, a in dict(zip(keys, map(tuple, arg_lists))).items()
                        if k not in _entries and k not in _inflight]
            if len(todo) < 2:
                return
            _depth.n = outer + 1
            try:
                values = compute_all([a for a, _ in todo])
            finally:
                _depth.n = outer
            with _lock:
                for (_, k), v in zip(todo, values):
                    _keep(path, version, k, v)
        finally:
            if not outer:
                with _lock:
                    _stats["engine_s"] += time.perf_counter() - t0

    def peek(store, *args):
        """fn(store, *args)'s cached value for the current data version (a copy), or None — never computed here.
        For a caller that can use another call's value when it is there (a superset of what it needs)."""
        path = str(store.path)
        if path == ":memory:":
            return None
        key = (name, path, _version(store), _freeze(args), _freeze({}))
        with _lock:
            hit = _entries.get(key)
            if hit is None:
                return None
            _entries.move_to_end(key)
            _stats["hits"] += 1
        return _copy(hit[0])

    run.uncached = fn
    run.fill = fill
    run.peek = peek
    return run


def _keep(path: str, version: int, key: tuple, value) -> None:
    """Store one computed value (caller holds _lock)."""
    seen = _versions.get(path)
    if seen is None or version > seen:       # a write (or a restore) since: the older figures go
        _versions[path] = version
        for k in [k for k in _entries if k[1] == path and k[2] != version]:
            del _entries[k]
    if version >= _versions[path]:           # a late background run of an older version (warm,
        _entries[key] = (value, _size(value))   # rewarm) neither evicts nor joins the newer figures
        _evict()


def rewarm(store, limit: int = MAX_RECENT) -> threading.Thread | None:
    """Recompute, in a background thread, the `limit` figure calls on this database most recently asked for
    (most recent first) for its current data version — called after a write made in this process, so the next
    page is already computed. Returns the thread (tests and the bench join it); None for in-memory stores."""
    path = str(store.path)
    if path == ":memory:":
        return None
    with _lock:
        calls = [c for k, c in reversed(_recent.items()) if k[0] == path][:limit]

    def work():
        for wrapper, args, kwargs in calls:
            try:
                wrapper(store, *args, **kwargs)
            except Exception:            # a figure that fails now fails again, visibly, when a page asks for it
                pass
    t = threading.Thread(target=work, name="figures-rewarm", daemon=True)
    with _lock:
        _rewarming[:] = [x for x in _rewarming if x.is_alive()] + [t]
    t.start()
    return t


def warm(store, work, name: str = "figures-warm") -> threading.Thread | None:
    """Run `work(store)` — calls of @cached figure functions, e.g. the overview's for the default filters — in a
    background thread, once per database in this process: a fresh server computes the first page's figures while
    its first run still imports and draws the sidebar, and the page's own calls take them (or wait for them, see
    `cached`). Each cached call reads the data version itself, so what it stores is keyed on the version it
    computed from: after a write, even one made while warming, the next call misses and recomputes — never the
    warm result. A figure that fails here is left for its page to fail visibly. Joined by join_rewarm. Returns
    the thread; None for an in-memory store or a database warmed already."""
    path = str(store.path)
    if path == ":memory:":
        return None
    with _lock:
        if path in _warmed:
            return None
        _warmed.add(path)

    def run():
        try:
            work(store)
        except Exception:            # noqa: BLE001 — the page computes it again and shows the error in Chinese
            pass
    t = threading.Thread(target=run, name=name, daemon=True)
    with _lock:
        _rewarming[:] = [x for x in _rewarming if x.is_alive()] + [t]
    t.start()
    return t


def join_rewarm(timeout_s: float | None = None) -> list[threading.Thread]:
    """Wait for running rewarm and warm threads (before closing a store that they may be reading, or a server's
    exit), at most timeout_s in all. Returns those still running."""
    deadline = None if timeout_s is None else time.monotonic() + timeout_s
    with _lock:
        threads = list(_rewarming)
    for t in threads:
        t.join(None if deadline is None else max(deadline - time.monotonic(), 0.0))
    return [t for t in threads if t.is_alive()]


def _evict() -> None:
    total = sum(n for _, n in _entries.values())
    while _entries and (len(_entries) > MAX_ENTRIES or total > MAX_BYTES):
        _, (_, n) = _entries.popitem(last=False)
        total -= n


def clear() -> None:
    with _lock:
        _entries.clear()
        _versions.clear()
        _recent.clear()
        _warmed.clear()


def stats() -> dict:
    """Hits, misses and engine_s (seconds spent in figure calls, cache hits included; outermost calls only, every
    thread) since start — for the bench and the tests."""
    with _lock:
        return {**_stats, "entries": len(_entries)}
