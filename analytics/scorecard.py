"""The company table of the meeting page: each company's key figures, indicator breaches and
its red/amber/green status, plus the group row."""
from __future__ import annotations

import pandas as pd

from .db import Store
from .indicators import evaluate
from .metrics import GROUP, Window, frame
from .rag import classify_frame

SCORECARD_METRICS = ("hazards_found", "hazards_rectified", "rectification_rate", "on_time_rate", "overdue_open",
                     "major_open", "major_overdue", "accidents", "deaths")


def company_table(store: Store, window: Window, companies: list[str] | None = None) -> pd.DataFrame:
    df = frame(store, SCORECARD_METRICS, window, companies)
    ev = evaluate(store, window.end.year, window.as_of, companies)
    breaches = ev[ev["breach"]].groupby("company").size() if len(ev) else pd.Series(dtype="int64")
    df["breaches"] = df["company"].map(breaches).fillna(0).astype("int64")
    df.loc[df["company"] == GROUP, "breaches"] = int(breaches.sum()) if len(breaches) else 0
    return classify_frame(df)


def breached_indicators(store: Store, window: Window, companies: list[str] | None = None) -> pd.DataFrame:
    ev = evaluate(store, window.end.year, window.as_of, companies)
    return ev[ev["breach"]] if len(ev) else ev
