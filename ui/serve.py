"""python -m ui.serve [`streamlit run` options] — the dashboard's server (make run, README 部署).

`streamlit run app.py` in this process; once the server listens, a background thread begins what a fresh server's
first page view would otherwise wait for: the engine's, the store's and the pages' imports (pandas, DuckDB, plotly: seconds)
and the overview's figures for the default filters (ui/warmup.py). Streamlit runs no app code before the first
browser connects, so under a plain `streamlit run` the first visitor after a restart waited for all of it (issue 11
point 2: a fresh server shows the overview within 5 s). The scripts run in this same process: they find the modules
imported and the figures in analytics.figures.cache (keyed on the data version, so a write meanwhile is never
served stale). The options are those of `streamlit run`, e.g. --server.port 8501 --server.address 0.0.0.0."""
from __future__ import annotations

import sys
from pathlib import Path

APP = Path(__file__).resolve().parent.parent / "app.py"


# How long a stopping server waits for the work under way (an upload writing its batch, figures computing).
FINISH_S = 60.0


def finish_work(timeout_s: float = FINISH_S) -> list[str]:
    """At exit, before the interpreter stops its threads: wait for the script runs still under way and the figures
    computing in the background. Streamlit's SIGTERM stops the server, not its script threads (daemons), and a
    daemon thread that the interpreter stops inside DuckDB or pyarrow aborts the whole process ("terminate called
    after throwing an instance of ''", exit -6 instead of 0: a 1,000,000-row upload stopped this way, 3 December
    2026). A run that has been asked to stop ends at its next Streamlit call (an upload's progress: every 0.25 s
    while it reads), else when its engine call returns (the batch's write: seconds). Returns the names of the
    threads still running after timeout_s."""
    import threading
    import time
    # Nothing is imported here (an import at exit fails: pandas' would register an exit callback too late); a
    # module not imported yet has started no thread.
    cache, warmup = sys.modules.get("analytics.figures.cache"), sys.modules.get("ui.warmup")
    deadline = time.monotonic() + timeout_s
    runs = [t for t in threading.enumerate() if t.name.startswith("ScriptRunner")]    # Streamlit's script threads
    runs += warmup.STARTED if warmup else []
    for t in runs:
        t.join(max(deadline - time.monotonic(), 0.0))
    figures = cache.join_rewarm(max(deadline - time.monotonic(), 0.0)) if cache else []   # also those just begun
    return [t.name for t in [*runs, *figures] if t.is_alive()]


def finish_at_exit() -> None:
    """finish_work when the interpreter exits, before its atexit callbacks: DuckDB's own (registered at its import,
    run first as they go last in first out) already refuses queries — "the Python interpreter is shutting down".
    threading's exit callbacks run before any of them (concurrent.futures waits for its workers there)."""
    import atexit
    import threading
    getattr(threading, "_register_atexit", atexit.register)(finish_work)


def main(argv: list[str]) -> int:
    from streamlit.web import bootstrap, cli
    from ui import warmup
    finish_at_exit()
    started = getattr(bootstrap, "_on_server_start", None)      # Streamlit's own step once the server listens
    if started is None:                 # (a private name of streamlit 1.67, pinned): failing that, begin at once
        warmup.start(preload=True)
    else:
        def on_server_start(server):    # begun earlier, the imports slow the server's own start (the GIL)
            started(server)
            warmup.start(preload=True)
        bootstrap._on_server_start = on_server_start
    sys.argv = ["streamlit", "run", str(APP), *argv]
    return cli.main()


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
