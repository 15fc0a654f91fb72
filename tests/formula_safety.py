"""Formula payloads for export tests, and the check that a workbook holds no formula and no link."""
from __future__ import annotations

import io
import re
import zipfile

import openpyxl

PAYLOADS = ('=HYPERLINK("http://evil.example/x","点我")', "=cmd|' /C calc'!A0", "+1", "-1", "@SUM(A1)",
            "\t=1+1", "\r=2+2", "=1+1")


def assert_no_formula(data: bytes) -> openpyxl.Workbook:
    """No <f> element and no hyperlink anywhere in the package; every payload cell is a string cell."""
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        for name in z.namelist():
            if name.startswith("xl/worksheets/") and name.endswith(".xml"):
                xml = z.read(name).decode("utf-8")
                assert not re.search(r"<f[ >/]", xml), name
                assert "<hyperlink" not in xml, name
            assert "hyperlink" not in name.lower() and "externalLink" not in name, name
    wb = openpyxl.load_workbook(io.BytesIO(data))
    for ws in wb.worksheets:
        for row in ws.iter_rows():
            for c in row:
                assert c.data_type != "f", (ws.title, c.coordinate, c.value)
                assert c.hyperlink is None, (ws.title, c.coordinate)
    return wb
