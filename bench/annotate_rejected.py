"""Measure a rejected N-row hazard file: ingest time, whether 数据上传 builds the annotated workbook (bounded:
≤ 5 MB and ≤ 5000 errors), and annotate_workbook's time and peak at the cap. Usage: python bench/annotate_rejected.py N EVERY
(every EVERY-th row has a bad 隐患等级), e.g. 100000 1 and 60000 12."""
import resource
import sys
import tempfile
import time
import tracemalloc
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from tests.builders import xlsx
from tests.dbs import registry_store
from analytics.ingest.pipeline import ingest_bytes
from analytics.ingest.annotate import annotate_workbook
from ui.manage import ANNOTATE_MAX_BYTES, ANNOTATE_MAX_ERRORS
n = int(sys.argv[1]); bad_every = int(sys.argv[2])
def row(i):
    lvl = "特别一般" if i % bad_every == 0 else "一般"
    return ["陇原电力有限公司", f"YH-{i}", "2026-10-05", "一号车间", f"配电箱门未关闭{i}", "用电安全", lvl, "关闭", "张三", "2026-10-20", "未整改", None]
hdr = ["单位", "隐患编号", "发现日期", "隐患部位", "隐患描述", "隐患类别", "隐患等级", "整改措施", "整改责任人", "整改期限", "整改状态", "整改完成日期"]
p = xlsx(Path(tempfile.gettempdir()) / f"rejected_{n}.xlsx", {"10月": [hdr] + [row(i) for i in range(n)]})
data = p.read_bytes()
s = registry_store()
t = time.perf_counter(); res = ingest_bytes(s, data, p.name); t_ing = time.perf_counter() - t
print(f"rows={n} bytes={len(data)/1048576:.1f}MB status={res.status} errors={len(res.errors)} ingest={t_ing:.1f}s")
bounded = len(data) > ANNOTATE_MAX_BYTES or len(res.errors) > ANNOTATE_MAX_ERRORS
print("page builds annotated workbook:", not bounded)
if not bounded or "--force" in sys.argv:
    tracemalloc.start()
    t = time.perf_counter(); marked, name = annotate_workbook(data, res.file, res.errors); ta = time.perf_counter() - t
    cur, peak = tracemalloc.get_traced_memory()
    print(f"annotate_workbook: {ta:.1f}s, python peak {peak/1048576:.0f} MB, out {len(marked)/1048576:.1f} MB")
print(f"process max RSS {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss/1024:.0f} MB")
