"""Meta-tests that keep the house in order: layers, docs and code in step."""
from __future__ import annotations

import ast
import re
from pathlib import Path

from analytics.ledgers import LEDGERS
from analytics.figures.metrics import BY_NAME, DOMAIN_METRICS, METRICS

ROOT = Path(__file__).resolve().parent.parent


def _imports(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    out: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            out |= {a.name.split(".")[0] for a in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            out.add(node.module.split(".")[0])
    return out


def test_engine_never_imports_streamlit():
    offenders = [p.name for p in (ROOT / "analytics").rglob("*.py") if "streamlit" in _imports(p)]
    assert offenders == []


def test_only_the_store_talks_to_a_database():
    """db.py is the gateway; pg.py (PostgreSQL) and backup.py sit beside it in analytics/store/."""
    for lib in ("psycopg", "duckdb"):
        offenders = [str(p.relative_to(ROOT)) for p in (ROOT / "analytics").rglob("*.py")
                     if lib in _imports(p) and p.parent.name != "store"]
        assert offenders == [], lib


def test_pages_hold_no_sql_and_no_groupby():
    sql = re.compile(r"\b(select|insert|update|delete)\b[^\n]*\b(from|into|set)\b", re.I)
    for p in (ROOT / "pages").glob("*.py"):
        text = p.read_text(encoding="utf-8")
        assert "duckdb" not in _imports(p), p.name
        assert not sql.search(text), f"{p.name} holds SQL"
        assert ".groupby(" not in text and ".pivot" not in text, f"{p.name} aggregates; move it to analytics/"


def test_every_domain_metric_is_defined_once_with_its_caption():
    names = [m.name for m in METRICS]
    assert len(names) == len(set(names))
    domain = ["hazards_found", "hazards_rectified", "rectification_rate", "on_time_rate", "overdue_open",
              "major_found", "major_open", "major_rectification_rate", "avg_days_to_rectify", "accidents", "deaths",
              "serious_injuries", "direct_loss", "four_no_closure_rate", "late_reports", "training_completion",
              "training_pass_rate", "investment_completion"]
    assert list(DOMAIN_METRICS) == domain
    for n in names:
        m = BY_NAME[n]
        assert m.label and m.caption and m.ledger in LEDGERS
        assert "$" not in m.sql, f"{n}: parameters belong to the window, not the expression"


def test_metrics_doc_names_every_metric():
    doc = (ROOT / "docs" / "metrics.md").read_text(encoding="utf-8")
    missing = [m.name for m in METRICS if f"`{m.name}`" not in doc]
    assert missing == []


def test_readme_starts_with_the_two_setup_commands():
    head = (ROOT / "README.md").read_text(encoding="utf-8")[:600]
    assert "make run" in head and "make test" in head


def test_app_routes_every_page_file():
    app = (ROOT / "app.py").read_text(encoding="utf-8")
    for p in (ROOT / "pages").glob("*.py"):
        assert f'"pages/{p.name}"' in app, f"{p.name} is not routed in app.py"


def test_requirements_are_pinned():
    for line in (ROOT / "requirements.txt").read_text().splitlines():
        line = line.split("#")[0].strip()
        if line:
            assert re.fullmatch(r"[A-Za-z0-9_.\-\[\]]+==[0-9][0-9A-Za-z.]*", line), line


def test_engine_folders_show_the_architecture_and_tests_mirror_them():
    """analytics/ has one subpackage per layer; tests/analytics/ mirrors each one."""
    for layer in ("ingest", "store", "figures", "documents"):
        assert (ROOT / "analytics" / layer / "__init__.py").exists(), layer
        assert (ROOT / "tests" / "analytics" / layer).is_dir(), layer
