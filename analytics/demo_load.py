"""Loading the demo data: the generated ledgers go through the same ingest as any upload."""
from __future__ import annotations

from pathlib import Path

from .companies import add_company
from .store.db import Store
from .store.history import has_data
from .ingest.pipeline import ingest_file

DEMO_USER = "演示数据"
DEMO_DIR = Path(__file__).resolve().parent.parent / "data" / "demo"


def is_demo(store: Store) -> bool:
    return bool(store.scalar("SELECT count(*) FROM batches WHERE status = 'loaded' AND uploaded_by = ?", [DEMO_USER]))


def load_demo(store: Store, only_if_empty: bool = True, out_dir: Path = DEMO_DIR) -> int:
    """Register the demo companies, write the demo workbooks (if absent) and ingest them.
    Returns the number of files loaded (0 when skipped because the database has data)."""
    from .demo import COMPANIES, write_demo_files
    if only_if_empty and has_data(store):
        return 0
    for name, aliases in COMPANIES:
        add_company(store, name, aliases)
    files = sorted(out_dir.glob("*.xlsx")) if out_dir.is_dir() else []
    if not files:
        files = write_demo_files(out_dir)
    n = 0
    for f in files:
        res = ingest_file(store, f, uploaded_by=DEMO_USER)
        if not res.accepted:
            raise RuntimeError(f"演示数据 {f.name} 未能导入：{res.message} {[e.message for e in res.errors[:3]]}")
        n += res.status == "loaded"
    return n


def real_batches(store: Store) -> int:
    """Active batches uploaded by people (not the demo loader): with is_demo, whether the figures mix both."""
    return int(store.scalar("SELECT count(*) FROM batches WHERE status = 'loaded' AND uploaded_by IS DISTINCT FROM ?",
                            [DEMO_USER]))
