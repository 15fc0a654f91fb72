"""Command line (DOMAIN.md §5): the same engine as the pages, for scripts and monthly automation.

    python -m analytics companies add NAME [--alias ALIAS ...]
    python -m analytics companies list
    python -m analytics companies import FILE.xlsx   (单位名称 / 简称或别名 / 所属板块)
    python -m analytics ingest FILE... [--company NAME] [--period YYYY-MM]
    python -m analytics metrics [--from D] [--to D] [--as-of D] [--format json|table]
    python -m analytics batches [--format json|table]
    python -m analytics revert BATCH_ID
    python -m analytics demo [--if-empty]
    python -m analytics templates OUT_DIR
    python -m analytics bulletin [COMPANY | --company NAME | --group] [--month YYYY-MM | --from D --to D]
                                 [--out FILE.docx | FILE.pdf | DIR]
    python -m analytics deck [--month YYYY-MM | --from D --to D] --out FILE.pptx
    python -m analytics stats --period YYYYQN|YYYY --out FILE.xlsx
    python -m analytics backup DIR
    python -m analytics restore DIR
    python -m analytics users add NAME --role 浏览|上传|管理 [--company C ...] [--display-name N] [--sso]
    python -m analytics users list | disable NAME [--enable] | reset NAME
      (a password is asked twice on a terminal, else read from the first line of standard input)

`--db PATH` is accepted before or after the subcommand.

Exit codes: 0 success; 1 a file was rejected (ingest) or the command failed; 2 usage error.
No traceback reaches the user: every failure prints one Chinese message on stderr.
"""
from __future__ import annotations

import argparse
import datetime as dt
import json
import re
import sys
from pathlib import Path


class UsageError(Exception):
    pass


def _date(s: str) -> dt.date:
    try:
        return dt.date.fromisoformat(s)
    except ValueError:
        raise argparse.ArgumentTypeError(f"日期“{s}”格式不对，应为 YYYY-MM-DD") from None


# argparse's own English messages, in Chinese (the usage line stays as argparse draws it).
_MESSAGES = (
    (re.compile(r"unrecognized arguments: (.*)"), "无法识别的参数：{0}"),
    (re.compile(r"the following arguments are required: (.*)"), "缺少必需的参数：{0}"),
    (re.compile(r"argument (\S+): invalid choice: (\S+) \(choose from (.*)\)"), "参数 {0} 的取值 {1} 无效（可选：{2}）"),
    (re.compile(r"argument (\S+): expected one argument"), "参数 {0} 需要一个值"),
    (re.compile(r"argument (\S+): invalid int value: (\S+)"), "参数 {0} 应为整数，而不是 {1}"),
    (re.compile(r"argument (\S+): (.*)"), "参数 {0}：{1}"),
)


class ChineseParser(argparse.ArgumentParser):
    """argparse with Chinese usage errors (exit code 2)."""

    def error(self, message: str):
        for pat, zh in _MESSAGES:
            if m := pat.fullmatch(message):
                message = zh.format(*m.groups())
                break
        self.print_usage(sys.stderr)
        self.exit(2, f"用法错误：{message}\n")


def split_db(argv: list[str]) -> tuple[str | None, list[str]]:
    """`--db PATH` (or --db=PATH) anywhere on the line (DOMAIN.md §5): taken out before parsing the rest."""
    db, rest, i = None, [], 0
    while i < len(argv):
        a = argv[i]
        if a == "--db":
            if i + 1 >= len(argv):
                raise UsageError("参数 --db 需要一个值（数据库文件路径或 postgresql:// 地址）")
            db, i = argv[i + 1], i + 2
            continue
        if a.startswith("--db="):
            db = a[len("--db="):]
        else:
            rest.append(a)
        i += 1
    return db, rest


def build_parser() -> argparse.ArgumentParser:
    p = ChineseParser(prog="python -m analytics", description="安全生产台账看板 命令行")
    p.add_argument("--db", default=None, help="数据库文件，或 PostgreSQL 服务器地址 postgresql://用户:密码@主机:端口/库名（默认：环境变量 SAFETY_DB，"
                        "否则 data/safety.duckdb）；看板运行时也可同时使用")
    sub = p.add_subparsers(dest="cmd", required=True)

    c = sub.add_parser("companies", help="单位登记").add_subparsers(dest="action", required=True)
    a = c.add_parser("add", help="登记单位（或为已登记单位添加别名）")
    a.add_argument("name")
    a.add_argument("--alias", action="append", default=[])
    c.add_parser("list", help="列出已登记单位")
    im = c.add_parser("import", help="从登记表导入单位（单位名称 / 简称或别名 / 所属板块）")
    im.add_argument("file")

    i = sub.add_parser("ingest", help="导入台账文件")
    i.add_argument("files", nargs="+")
    i.add_argument("--company", help="文件中没有单位时，所属单位")
    i.add_argument("--period", help="报送期间 YYYY-MM（日期缺年份时也用它补足）")
    i.add_argument("--by", default=None, help="上传人")

    m = sub.add_parser("metrics", help="计算指标")
    m.add_argument("--from", dest="start", type=_date)
    m.add_argument("--to", dest="end", type=_date)
    m.add_argument("--as-of", dest="as_of", type=_date)
    m.add_argument("--format", choices=["json", "table"], default="table")

    b = sub.add_parser("batches", help="上传批次")
    b.add_argument("--format", choices=["json", "table"], default="table")

    r = sub.add_parser("revert", help="撤销一个批次")
    r.add_argument("batch_id", type=int)
    r.add_argument("--by", default=None)

    d = sub.add_parser("demo", help="生成并导入演示数据")
    d.add_argument("--if-empty", action="store_true", help="仅当数据库中没有任何批次时导入")

    t = sub.add_parser("templates", help="生成标准台账模板")
    t.add_argument("out_dir")

    bk = sub.add_parser("backup", help="备份整个数据库到一个新目录（看板运行时也可备份）")
    bk.add_argument("dir")
    o = sub.add_parser("restore", help="用备份目录替换当前数据库（原文件改名保留）")
    o.add_argument("dir")
    n = sub.add_parser("bulletin", help="生成安全生产通报（单位或集团；Word 或 PDF）")
    n.add_argument("company", nargs="?", help="单位名称或别名")
    n.add_argument("--company", dest="company_opt", help="单位名称或别名")
    n.add_argument("--group", action="store_true", help="集团通报：逐一通报各子（控）公司的问题")
    _window_args(n)
    n.add_argument("--out", default=".", help="输出文件（.docx 或 .pdf）或目录（默认：当前目录，Word）")

    k = sub.add_parser("deck", help="生成安全生产会议幻灯片（PowerPoint）")
    _window_args(k)
    k.add_argument("--out", required=True, help="输出文件 .pptx")

    st = sub.add_parser("stats", help="生成隐患排查治理情况统计分析表（16号令，Excel）")
    st.add_argument("--period", required=True, help="统计期：YYYYQN（季度，如 2026Q3）或 YYYY（年度）")
    st.add_argument("--out", required=True, help="输出文件 .xlsx")

    u = sub.add_parser("users", help="用户账户").add_subparsers(dest="action", required=True)
    ua = u.add_parser("add", help="添加用户（首次登录须修改密码）")
    ua.add_argument("username")
    ua.add_argument("--role", required=True, choices=["浏览", "上传", "管理"])
    ua.add_argument("--company", action="append", default=[], help="限定单位（可多次）；不写即全部单位")
    ua.add_argument("--display-name", default="", help="姓名")
    ua.add_argument("--sso", action="store_true", help="统一身份认证账户（用户名为邮箱或 subject，无密码）")
    u.add_parser("list", help="列出用户")
    u.add_parser("first-admin-hint", help="没有管理账户时，说明如何创建（make run 调用）")
    ud = u.add_parser("disable", help="停用用户")
    ud.add_argument("username")
    ud.add_argument("--enable", action="store_true", help="重新启用")
    ur = u.add_parser("reset", help="重置密码（用户下次登录须修改）")
    ur.add_argument("username")
    return p


def _window_args(p) -> None:
    p.add_argument("--month", help="统计月份 YYYY-MM")
    p.add_argument("--from", dest="start", type=_date, help="统计期开始（默认：结束日所在年的1月1日）")
    p.add_argument("--to", dest="end", type=_date, help="统计期结束（默认：台账最后日期与今天中较早者）")


class Terminated(BaseException):
    """SIGTERM (a cron job stopped, a service shut down): unwinds like Ctrl-C, so the open write transaction rolls
    back, the reading child is killed and its temporary folder removed (`finally` blocks run)."""


def _on_sigterm():
    """Install the SIGTERM unwind (main thread only); returns the handler it replaced (restored when main returns,
    so a process that calls main() in-process, e.g. the tests, keeps its own)."""
    import signal
    import threading
    if threading.current_thread() is not threading.main_thread():
        return None

    def stop(*_):
        raise Terminated()
    return signal.signal(signal.SIGTERM, stop)


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    try:
        db, rest = split_db(list(sys.argv[1:] if argv is None else argv))
        args = parser.parse_args(rest)
    except UsageError as e:
        print(f"用法错误：{e}", file=sys.stderr)
        return 2
    except SystemExit as e:
        return int(e.code or 0)
    if db is not None:
        args.db = db
    before = _on_sigterm()
    try:
        return _run(args)
    except Terminated:
        print("已中止：收到终止信号（SIGTERM）；未完成的写入已整体回滚，临时文件已清除。", file=sys.stderr)
        return 143
    except UsageError as e:
        print(f"用法错误：{e}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:       # output piped into head: not an error of ours
        sys.stderr.close()
        return 0
    except Exception as e:  # the last guard: a message, never a traceback
        from .store.db import StoreError
        print(f"错误：{e}" if isinstance(e, StoreError) else f"错误：{type(e).__name__}: {e}", file=sys.stderr)
        return 1
    finally:
        if before is not None:
            import signal
            signal.signal(signal.SIGTERM, before)


def exit_at_once(code: int) -> None:
    """End `python -m analytics` as soon as its work is written: the exit handlers run (every Store closes its
    file, a read's temporary folder goes), standard output and error are flushed, and the process ends with
    os._exit, skipping the interpreter's teardown (freeing every object one by one: ≈ 0.1 s after a 100,000-row
    ingest). Where that teardown could still matter — a thread that is not a daemon still running, a database file
    whose write-ahead log is still there after its Store closed — it exits the usual way."""
    import atexit
    import os
    import threading
    if not isinstance(code, int):                           # os._exit takes only an int: let sys.exit say it
        sys.exit(code)
    if any(t.is_alive() and not t.daemon for t in threading.enumerate() if t is not threading.main_thread()):
        sys.exit(code)
    atexit._run_exitfuncs()
    db = sys.modules.get(f"{__package__}.store.db")          # not imported: no database was opened
    if db is not None and db.unsettled():
        sys.exit(code)
    for f in (sys.stdout, sys.stderr):
        if f is None or f.closed:
            continue
        try:
            f.flush()
        except (OSError, ValueError):
            code = 120                  # what the interpreter's exit returns when it cannot flush (… | head)
    os._exit(code)


def _run(args) -> int:
    if args.cmd == "restore":
        from .store.backup import restore
        from .store.db import default_path
        m = restore(args.dir, args.db or default_path())
        print(f"已恢复：{sum(t['rows'] for t in m['tables'].values())} 行，{len(m['tables'])} 张表，"
              f"备份时间 {m['created_at']}。" + (f"原数据表保留在 PostgreSQL 模式 {m['kept']} 中。" if m["kept"] and "://" in str(args.db or default_path())
                 else f"原数据库已改名保留为 {m['kept']}。" if m["kept"] else ""))
        return 0
    if args.cmd == "ingest":
        return _ingest(args)
    from .store.db import default_path, get_store
    store = get_store(args.db or default_path())
    if args.cmd == "backup":
        from .store.backup import backup
        m = backup(store, args.dir)
        print(f"已备份到 {args.dir}：{sum(t['rows'] for t in m['tables'].values())} 行，{len(m['tables'])} 张表，"
              f"数据版本 {m['data_version']}。")
        return 0
    if args.cmd == "companies":
        from .access import actions
        from .companies import CompanyError, add_company, aliases
        if args.action == "import":
            from .companies import import_registry
            path = Path(args.file)
            if not path.is_file():
                raise UsageError(f"找不到文件 {path}")
            try:
                done = import_registry(store, path.read_bytes(), path.name)
            except CompanyError as e:
                print(f"错误：{e}", file=sys.stderr)
                return 1
            print(f"已导入 {len(done['companies'])} 个单位：新登记 {done['added']} 个，更新 {done['updated']} 个。")
            return 0
        if args.action == "add":
            try:
                name = actions.add_company(store, _cli_user(None), args.name, args.alias)
            except CompanyError as e:
                raise UsageError(str(e)) from None
            print(f"已登记：{name}")
        else:
            from .companies import parents
            up = parents(store)
            for name, al in aliases(store).items():
                print(name + (f"（别名：{'、'.join(al)}）" if al else "") + (f"〔{up[name]}〕" if up.get(name) else ""))
        return 0
    if args.cmd == "metrics":
        return _metrics(store, args)
    if args.cmd == "batches":
        from .store.history import batches
        df = batches(store)
        if args.format == "json":
            print(json.dumps(_records(df), ensure_ascii=False, indent=1, default=str))
        else:
            print(df.to_string(index=False) if len(df) else "（没有批次）")
        return 0
    if args.cmd == "revert":
        from .access import actions
        from .ingest.load import RevertError
        try:
            b = actions.revert(store, _cli_user(args.by), args.batch_id)
        except RevertError as e:
            print(f"错误：{e}", file=sys.stderr)
            return 1
        print(f"已撤销批次 {b['id']}（{b['file']}），此前的数据已恢复。")
        return 0
    if args.cmd == "demo":
        from .demo_load import load_demo
        n = load_demo(store, only_if_empty=args.if_empty)
        print(f"演示数据：导入 {n} 个文件" if n else "数据库已有数据，未导入演示数据。")
        return 0
    if args.cmd == "templates":
        from .documents.templates import REGISTRY_TEMPLATE_NAME, registry_template_bytes, write_templates
        for p in write_templates(Path(args.out_dir)):
            print(p)
        reg_path = Path(args.out_dir) / REGISTRY_TEMPLATE_NAME        # the registry sheet of `companies import`
        reg_path.write_bytes(registry_template_bytes())
        print(reg_path)
        return 0
    if args.cmd == "bulletin":
        return _bulletin(store, args)
    if args.cmd == "deck":
        return _deck(store, args)
    if args.cmd == "stats":
        return _stats(store, args)
    if args.cmd == "users":
        return _users(store, args)
    raise UsageError(args.cmd)


def _cli_user(display: str | None):
    """The command line runs on the server with the database file in reach: it acts as 管理, audited under the
    operating-system account (and --by, when given, as the name shown for 上传人)."""
    from .access.roles import ADMIN, User
    return User(_cli_actor(), ADMIN, display or "", kind="cli")


def _cli_actor() -> str:
    """Who a command-line change is audited as: the operating-system account on the server."""
    import getpass
    return f"命令行:{getpass.getuser()}"


def _password() -> str:
    import getpass
    if sys.stdin.isatty():
        pw = getpass.getpass("密码：")
        if getpass.getpass("再次输入密码：") != pw:
            raise UsageError("两次输入的密码不一致")
        return pw
    return sys.stdin.readline().rstrip("\n")


def _users(store, args) -> int:
    from .access import users
    actor = _cli_actor()
    try:
        if args.action == "add":
            users.add_user(store, actor, args.username, args.role, password=None if args.sso else _password(),
                           display_name=args.display_name, companies=args.company, sso=args.sso)
            print(f"已添加用户 {args.username}（{args.role}）" + ("" if args.sso else "，首次登录须修改密码"))
        elif args.action == "first-admin-hint":
            if not users.has_admin(store):
                print("尚无“管理”账户：看板可以浏览，但上传、撤销和管理都需要登录。创建第一个管理账户：\n"
                      "  .venv/bin/python -m analytics users add 用户名 --role 管理 --display-name 姓名\n"
                      "（按提示输入初始密码；首次登录须修改密码）")
        elif args.action == "list":
            df = users.list_users(store)
            print(df.drop(columns=["created_at"]).to_string(index=False) if len(df) else "（没有用户）")
        elif args.action == "disable":
            users.set_disabled(store, actor, args.username, not args.enable)
            print(f"已{'启用' if args.enable else '停用'}用户 {args.username}")
        else:
            users.reset_password(store, actor, args.username, _password())
            print(f"已重置 {args.username} 的密码，下次登录须修改")
    except users.UserError as e:
        raise UsageError(str(e)) from None
    return 0


def _ingest(args) -> int:
    if args.period:
        from .ingest.pipeline import parse_period
        try:
            parse_period(args.period)
        except ValueError as e:
            raise UsageError(str(e)) from None
    # The first file's reading child starts before the store is opened (and pandas, DuckDB and the pipeline are
    # imported, ~0.5 s): it parses on the other core meanwhile.
    from .ingest.read import start_read
    first = next((Path(f) for f in args.files if Path(f).is_file()), None)
    data = first.read_bytes() if first else None
    reading = start_read(data, first.name) if first else None
    # No cyclic garbage collection while files load (as in the reading child): the staged columns and their
    # issues are hundreds of thousands of objects without cycles, which each collection would walk again
    # (≈ 0.03–0.09 s per 100,000-row file); a command is one short process, so nothing builds up.
    import gc
    collecting = gc.isenabled()
    gc.disable()
    try:
        from .access import actions
        from .ingest.pipeline import STATUS_LABELS
        from .store.db import default_path, get_store
        store = get_store(args.db or default_path())
        worst = 0
        for f in args.files:
            p = Path(f)
            if not p.is_file():
                print(f"{f}\t-\t-\t-\t-\t错误：文件不存在", file=sys.stderr)
                worst = 1
                continue
            if p == first and reading is not None:
                kw, reading = {"data": data, "reading": reading}, None
            else:
                kw = {"data": p.read_bytes()}
            res = actions.upload(store, _cli_user(args.by), kw.pop("data"), p.name, company=args.company,
                                 period=args.period, progress=_progress_line(p.name), **kw)
            print(f"{p.name}：{STATUS_LABELS[res.status]}。{res.message}")
            for e in res.errors:
                print(e.line(p.name))
            for w in res.warnings:
                print(w.line(p.name))
            if not res.accepted:
                worst = 1
        return worst
    finally:
        if collecting:
            gc.enable()
        if reading is not None:
            reading.cancel()


def _progress_line(name: str, after_s: float = 2.0, every_s: float = 1.0):
    """A progress line on stderr for a file that takes more than a couple of seconds (none for a quick one)."""
    import time
    t0, last = time.monotonic(), [0.0]
    tty = sys.stderr.isatty()

    def show(fraction: float, what: str) -> None:
        now = time.monotonic()
        if now - t0 < after_s or (now - last[0] < every_s and fraction < 1.0):
            return
        last[0] = now
        line = f"{name}：{what} {fraction:.0%}（已用 {now - t0:.0f} 秒）"
        print(("\r" + line + ("\n" if fraction >= 1.0 else "")) if tty else line, end="" if tty else "\n",
              file=sys.stderr, flush=True)
    return show


def _metrics(store, args) -> int:
    from .figures.indicators import attainment
    from .figures.metrics import Window, compute
    end = args.end or dt.date.today()
    start = args.start or dt.date(end.year, 1, 1)
    try:
        w = Window.of(start, end, args.as_of)
    except ValueError as e:
        raise UsageError(str(e)) from None
    out = compute(store, w)
    ind = attainment(store, w)
    for name, vals in [("group", out["group"]), *out["companies"].items()]:
        key = None if name == "group" else name
        vals["indicators_met"] = ind.get(key, {}).get("met", 0)
        vals["indicators_total"] = ind.get(key, {}).get("total", 0)
    doc = {"from": w.start.isoformat(), "to": w.end.isoformat(), "as_of": w.as_of.isoformat(), **out}
    if args.format == "json":
        print(json.dumps(doc, ensure_ascii=False, indent=1))
    else:
        import pandas as pd
        print(pd.DataFrame({"集团": out["group"], **out["companies"]}).to_string())
    return 0


def _window(store, args):
    from .figures.metrics import Window
    from .store.history import reference_date
    if args.month:
        if args.start or args.end:
            raise UsageError("--month 与 --from/--to 只能选一种")
        try:
            first = dt.date.fromisoformat(f"{args.month}-01")
        except ValueError:
            raise UsageError(f"月份“{args.month}”格式不对，应为 YYYY-MM") from None
        last = (first + dt.timedelta(days=32)).replace(day=1) - dt.timedelta(days=1)
        return Window.of(first, last, min(last, max(first, reference_date(store))))
    end = args.end or reference_date(store)
    start = args.start or dt.date(end.year, 1, 1)
    try:
        return Window.of(start, end)
    except ValueError as e:
        raise UsageError(str(e)) from None


def _out_file(out: str, default_name: str, suffixes: tuple[str, ...]) -> Path:
    p = Path(out)
    if p.suffix.lower() in suffixes:
        p.parent.mkdir(parents=True, exist_ok=True)
        return p
    if p.suffix:
        raise UsageError(f"输出文件“{out}”的类型不对，应为 {' 或 '.join(suffixes)}")
    p.mkdir(parents=True, exist_ok=True)
    from .textnorm import safe_filename
    return p / safe_filename(default_name, "文档")        # a name built from data never leaves --out


def _bulletin(store, args) -> int:
    from .documents.bulletin import bulletin, render_docx
    from .documents.group import bulletin_group
    from .documents.pdf import render_pdf
    from .companies import CompanyError
    company = args.company_opt or args.company
    if bool(company) == bool(args.group):
        raise UsageError("请指定一个单位（COMPANY 或 --company NAME），或用 --group 生成集团通报")
    w = _window(store, args)
    try:
        b = bulletin_group(store, w) if args.group else bulletin(store, company, w)
    except CompanyError as e:
        raise UsageError(str(e)) from None
    path = _out_file(args.out, b.file_name, (".docx", ".pdf"))
    path.write_bytes(render_pdf(b) if path.suffix.lower() == ".pdf" else render_docx(b))
    print(path)
    return 0


def _deck(store, args) -> int:
    from .documents.deck import deck_name, deck_pptx
    w = _window(store, args)
    path = _out_file(args.out, deck_name(w), (".pptx",))
    path.write_bytes(deck_pptx(store, w))
    print(path)
    return 0


def _stats(store, args) -> int:
    from .documents.stats import parse_period, stats_xlsx
    try:
        w, label = parse_period(args.period)
    except ValueError as e:
        raise UsageError(str(e)) from None
    data, name = stats_xlsx(store, w, label)
    path = _out_file(args.out, name, (".xlsx",))
    path.write_bytes(data)
    print(path)
    return 0


def _records(df) -> list[dict]:
    return [{k: (None if v is None or v != v else v) for k, v in r.items()} for r in df.to_dict("records")]
