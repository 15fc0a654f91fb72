"""A fresh server's first page, computed ahead (issue 11 point 2: a fresh server shows the overview within 5 s).

`start()` is called by app.py in the very first run of the server process (Streamlit runs no app code before the
first browser connects; that run only leaves the legacy pages/ mode and reruns). It starts a background thread
that imports the engine and computes, through analytics.figures.cache (keyed on the data version), the figures
the overview shows a session that has not touched the sidebar — heaviest first — while the script thread imports
the pages' modules and draws the sidebar; the overview's own calls then take them from the cache or wait for the
one being computed. No Streamlit call here: the thread has no script run context. This module imports nothing
heavy, so the first run stays short."""
from __future__ import annotations

import threading

ACCIDENT_KPIS = ("accidents", "deaths", "serious_injuries", "direct_loss", "late_reports")   # pages/overview.py


def default_filters(store):
    """The filters a session that has not touched the sidebar gets (ui.state.sidebar_filters: 本年至今 up to the
    reference date, every company)."""
    from ui.state import PRESETS, Filters, _preset_window, reference_date
    from analytics.figures.metrics import Window
    start, end = _preset_window(PRESETS[0], reference_date(store))
    return Filters(Window.of(start, end), None, f"{start:%Y年%m月%d日}—{end:%Y年%m月%d日}")


def overview(store) -> None:
    """The overview's figure calls for the default filters, as pages/overview.py makes them (same arguments, so
    the same cache keys; tests/pages/test_warmup.py checks the page then misses nothing), heaviest first."""
    from analytics.figures import anomalies
    from analytics.figures.accidents import safe_days
    from analytics.figures.assessment import year_status
    from analytics.figures.metrics import HAZARD_KPIS, compute, frames
    from analytics.figures.records import open_major_hazards
    from analytics.figures.scorecard import breach_list, company_table
    from ui.charts import MAX_TABLE_ROWS
    from ui.state import _last_arrivals, demo_flags, parents, registered
    f = default_filters(store)
    ly = f.last_year
    anomalies.find(store, f.window, f.companies, detail=False)   # as pages/overview.py asks it
    frames(store, ACCIDENT_KPIS + HAZARD_KPIS, [f.window, ly], f.companies)      # both periods, one query
    compute(store, ly, f.companies, ACCIDENT_KPIS + HAZARD_KPIS)
    compute(store, f.window, f.companies, ACCIDENT_KPIS + HAZARD_KPIS)
    compute(store, f.window, f.companies, ("major_open",))          # the open majors' count (charts' section)
    open_major_hazards(store, f.window.as_of, f.companies, limit=MAX_TABLE_ROWS)   # the rows its table draws
    company_table(store, ly, f.companies)
    company_table(store, f.window, f.companies)
    breach_list(store, f.window, f.companies)
    year_status(store, f.window.end.year, f.window.as_of, f.companies)
    safe_days(store, f.window, f.companies)
    _last_arrivals(store)
    registered(store)                                   # the sidebar's and the banner's registry reads
    parents(store)
    demo_flags(store)


# What the first run imports (app.py, the overview page and ui.charts): ui.serve imports it ahead.
FIRST_RUN_MODULES = ("analytics.store.db", "analytics.figures.cache", "analytics.demo_load", "analytics.figures.anomalies",
                     "analytics.figures.scorecard", "ui.state", "ui.auth", "ui.theme", "ui.widgets", "ui.charts")


STARTED: list[threading.Thread] = []


def start(preload: bool = False) -> threading.Thread:
    """Import the engine and warm the overview in a background thread (see the module docstring). preload=True
    (ui.serve, before Streamlit starts): import every module of the first run too."""
    def run():
        if preload:
            import importlib
            for name in FIRST_RUN_MODULES:
                try:
                    importlib.import_module(name)
                except Exception:  # noqa: BLE001 — the page imports it again and shows the error itself
                    pass
        from analytics.figures import cache
        from analytics.store.db import get_store
        try:
            store = get_store()
        except Exception:  # noqa: BLE001 — no database yet, or busy: the page says so itself
            return
        cache.warm(store, overview, name="overview-warm")
    t = threading.Thread(target=run, name="overview-warm-start", daemon=True)
    STARTED.append(t)               # a stopping server waits for it (ui.serve.finish_work)
    t.start()
    return t
