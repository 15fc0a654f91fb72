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


def main(argv: list[str]) -> int:
    from streamlit.web import bootstrap, cli
    from ui import warmup
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
