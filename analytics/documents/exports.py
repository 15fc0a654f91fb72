"""Tables → Excel bytes for download (the records behind a figure, a company table)."""
from __future__ import annotations

import io

import pandas as pd


def to_xlsx(sheets: dict[str, pd.DataFrame]) -> bytes:
    """One sheet per table, header bold, columns sized to their content."""
    buf = io.BytesIO()
    with pd.ExcelWriter(buf, engine="xlsxwriter") as xw:
        for name, df in sheets.items():
            name = name[:31] or "Sheet1"
            df.to_excel(xw, sheet_name=name, index=False)
            ws = xw.sheets[name]
            for j, col in enumerate(df.columns):
                width = max([len(str(col))] + [len(str(v)) for v in df[col].head(200)]) + 2
                ws.set_column(j, j, min(max(width * 1.6, 8), 60))
            ws.freeze_panes(1, 0)
    return buf.getvalue()
