"""A throw-away PostgreSQL 15 server for the tests: initdb + pg_ctl in a temp dir, on 127.0.0.1 and a free port.

`python -m tests.pgserver DIR` starts one and prints its URL (for trying things by hand); the test session starts
its own (tests/conftest.py) and stops it at the end. Each test gets its own database (`fresh_database`).
"""
from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import tempfile
import uuid
from pathlib import Path

BIN = Path(os.environ.get("PG_BIN", "/usr/lib/postgresql/15/bin"))


def available() -> bool:
    return all((BIN / b).is_file() for b in ("initdb", "pg_ctl", "postgres"))


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _run(args, **kw):
    """Run a PostgreSQL binary; as root, as the `postgres` user (initdb refuses root)."""
    if os.geteuid() == 0:
        args = ["runuser", "-u", "postgres", "--", *map(str, args)]
    return subprocess.run(list(map(str, args)), check=True, capture_output=True, text=True, **kw)


class Server:
    def __init__(self, root: Path | None = None):
        self.root = Path(root or tempfile.mkdtemp(prefix="safety-pg-"))
        self.data = self.root / "data"
        self.port = _free_port()
        self.user = "safety"
        self.password = "safety-test"

    def start(self) -> "Server":
        self.root.mkdir(parents=True, exist_ok=True)
        if os.geteuid() == 0:
            shutil.chown(self.root, "postgres")
        pw = self.root / "pw"
        pw.write_text(self.password)
        if os.geteuid() == 0:
            shutil.chown(pw, "postgres")
        _run([BIN / "initdb", "-D", self.data, "-U", self.user, "--pwfile", pw, "-A", "scram-sha-256",
              "-E", "UTF8", "--locale", "C.UTF-8"])
        _run([BIN / "pg_ctl", "-D", self.data, "-l", self.root / "log", "-w", "-t", "60", "start", "-o",
              f"-h 127.0.0.1 -p {self.port} -k {self.root} -c fsync=off -c synchronous_commit=off "
              f"-c full_page_writes=off -c max_connections=200"])
        return self

    def stop(self) -> None:
        try:
            _run([BIN / "pg_ctl", "-D", self.data, "-m", "immediate", "-w", "stop"])
        finally:
            shutil.rmtree(self.root, ignore_errors=True)

    def url(self, db: str = "postgres", password: str | None = None) -> str:
        return f"postgresql://{self.user}:{password or self.password}@127.0.0.1:{self.port}/{db}"

    def fresh_database(self) -> str:
        """A new empty database on this server; its URL."""
        import psycopg
        name = "t_" + uuid.uuid4().hex[:12]
        with psycopg.connect(self.url(), autocommit=True) as c:
            c.execute(f'CREATE DATABASE "{name}"')
        return self.url(name)


if __name__ == "__main__":
    s = Server(Path(sys.argv[1]) if len(sys.argv) > 1 else None).start()
    print(s.url(), flush=True)
