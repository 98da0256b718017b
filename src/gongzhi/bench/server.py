"""What every benchmark needs around the load: a fresh database (PostgreSQL or SQLite)
with the 嘉祥 demo and an API token, granian with the production settings in its own
process group, and the CPU each side used. Nothing Django is imported at module level:
the load generator's process stays lean."""

from __future__ import annotations

import contextlib
import os
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

PG_ADMIN_URL = "postgres://postgres@127.0.0.1:5432"
PG_BENCH_DB = "gongzhi_bench"
CASE_TABLE = "cases_case"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _group_cpu_seconds(pgid: int) -> tuple[float, float]:
    """(CPU seconds used, seconds spent runnable but waiting for a CPU) so far by the
    threads of the live processes of a process group (from /proc/*/task/*/schedstat)."""
    cpu = wait = 0
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            stat = Path(f"/proc/{entry}/stat").read_text()
            fields = stat[stat.rindex(")") + 2 :].split()
            if int(fields[2]) != pgid:  # field 5: pgrp
                continue
            for task in os.listdir(f"/proc/{entry}/task"):
                run, queued, _ = Path(f"/proc/{entry}/task/{task}/schedstat").read_text().split()
                cpu += int(run)
                wait += int(queued)
        except (OSError, ValueError):
            continue
    return cpu / 1e9, wait / 1e9


def machine_busy_seconds() -> float:
    """CPU seconds all processes of the machine used so far (from /proc/stat)."""
    fields = Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]
    values = [int(v) for v in fields]
    idle = values[3] + values[4]  # idle, iowait
    return (sum(values[:8]) - idle) / os.sysconf("SC_CLK_TCK")


@dataclass
class Server:
    process: subprocess.Popen[bytes]
    port: int
    log: Path

    def cpu_seconds(self) -> tuple[float, float]:
        return _group_cpu_seconds(self.process.pid)

    def stop(self) -> None:
        """Stop the whole process group (granian and its workers); kill if it lingers."""
        if self.process.poll() is not None:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(self.process.pid, signal.SIGKILL)
            return
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.process.pid, signal.SIGTERM)
        with contextlib.suppress(subprocess.TimeoutExpired):
            self.process.wait(timeout=10)
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.process.pid, signal.SIGKILL)
        with contextlib.suppress(subprocess.TimeoutExpired):
            self.process.wait(timeout=5)


def bench_application() -> Any:
    """granian's target (a factory): the production WSGI application of
    gongzhi.config.wsgi, with the URL configuration loaded before the first request, and a
    file in GONGZHI_BENCH_READY_DIR saying this worker is ready, so that the measurement
    starts only when every worker has loaded the app."""
    from django.urls import get_resolver

    from gongzhi.config.wsgi import application

    get_resolver().url_patterns  # noqa: B018 — import every URL module now
    ready = os.environ.get("GONGZHI_BENCH_READY_DIR")
    if ready:
        Path(ready, str(os.getpid())).touch()
    return application


def server_env(*, database_url: str, var_dir: Path, extra: dict[str, str] | None = None) -> dict:
    env = dict(os.environ)
    # Byte code is cached outside the work tree so that workers start in seconds.
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    env["PYTHONPYCACHEPREFIX"] = str(Path(tempfile.gettempdir()) / "gongzhi-bench-pycache")
    env.update(
        {
            "DJANGO_SETTINGS_MODULE": "gongzhi.config.settings.production",
            "SECRET_KEY": secrets.token_urlsafe(64),
            "ALLOWED_HOSTS": "127.0.0.1",
            "SECURE_SSL_REDIRECT": "0",
            "DATABASE_URL": database_url,
            "GONGZHI_VAR": str(var_dir),
            "LOG_LEVEL": "WARNING",
        }
    )
    env.update(extra or {})
    return env


def start_server(
    *,
    env: dict,
    workers: int,
    threads: int,
    port: int,
    log: Path,
    granian: str = "",
    target: str = "gongzhi.bench.server:bench_application",
    cwd: Path | None = None,
) -> Server:
    """granian in its own process group; by default Gongzhi's, from this venv. ``granian``,
    ``target`` and ``cwd`` start another application's (the peer of gongzhi.bench.peer,
    from its own venv) the same way."""
    granian = granian or shutil.which("granian", path=str(Path(sys.executable).parent)) or "granian"
    cmd = [
        granian,
        "--interface",
        "wsgi",
        "--host",
        "127.0.0.1",
        "--port",
        str(port),
        "--workers",
        str(workers),
        "--blocking-threads",
        str(threads),
        "--no-ws",
        "--log-level",
        "warning",
        "--factory",
        target,
    ]
    ready = log.parent / "ready"
    ready.mkdir(exist_ok=True)
    env = {**env, "GONGZHI_BENCH_READY_DIR": str(ready)}
    logf = log.open("wb")
    proc = subprocess.Popen(
        cmd, env=env, cwd=cwd, stdout=logf, stderr=subprocess.STDOUT, start_new_session=True
    )
    logf.close()
    server = Server(process=proc, port=port, log=log)
    deadline = time.monotonic() + 180
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"granian exited early:\n{log.read_text()[-3000:]}")
        if len(list(ready.iterdir())) < workers:
            time.sleep(0.2)
            continue
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.5) as s:
                s.sendall(
                    b"GET /api/cases/ HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n"
                )
                if s.recv(12).startswith(b"HTTP/1.1"):
                    return server
        except OSError:
            time.sleep(0.2)
    server.stop()
    raise RuntimeError("granian did not answer within 180 s")


def pg_recreate(
    name: str = PG_BENCH_DB, admin_url: str = PG_ADMIN_URL, *, synchronous_commit: bool = True
) -> str:
    """Drop and create the bench database. ``synchronous_commit=False`` sets it off for
    this database only (a commit returns before its WAL is on disk: a crash of the
    machine can lose the last few hundred milliseconds of commits, never consistency)."""
    import psycopg

    with psycopg.connect(f"{admin_url}/postgres", autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{name}"')
        if not synchronous_commit:
            conn.execute(f'ALTER DATABASE "{name}" SET synchronous_commit = off')
    return f"{admin_url}/{name}"


def pg_drop(name: str = PG_BENCH_DB, admin_url: str = PG_ADMIN_URL) -> None:
    import psycopg

    with psycopg.connect(f"{admin_url}/postgres", autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def count_cases(database_url: str, table: str = CASE_TABLE) -> int:
    if database_url.startswith("sqlite:///"):
        import sqlite3

        with contextlib.closing(sqlite3.connect(database_url[len("sqlite:///") :])) as conn:
            return int(conn.execute(f"SELECT count(*) FROM {table}").fetchone()[0])
    import psycopg

    with psycopg.connect(database_url) as conn:
        row = conn.execute(f"SELECT count(*) FROM {table}").fetchone()
        return int(row[0]) if row else 0


def prepare_database(env: dict) -> str:
    """Migrate, build the 嘉祥 demo and make a token for ``dispatcher``, in a child
    process with the bench database's environment. Returns the token."""
    out = subprocess.run(
        [sys.executable, "-m", "gongzhi.bench", "prepare"],
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
    )
    if out.returncode != 0:
        raise RuntimeError(f"preparing the database failed:\n{out.stderr[-3000:]}")
    return out.stdout.strip().splitlines()[-1]


def prepare() -> None:
    import django
    from django.core.management import call_command

    django.setup()
    from gongzhi.common.apiauth import api_token_create
    from gongzhi.demo import build_demo
    from gongzhi.org.models import User

    call_command("migrate", verbosity=0, interactive=False)
    build_demo()
    user = User.objects.get(username="dispatcher")
    print(api_token_create(user=user, name="bench", channels=["12345"]))


def clean_up(server: Any, tmp: Any, *, keep: bool, pg_database: str | None) -> None:
    """Stop a bench's server and remove its temporary directory and, unless ``keep``, its
    PostgreSQL database. A second Ctrl-C (uv run forwards SIGINT, the terminal sends it
    too) must not cut the clean-up short."""
    previous = signal.signal(signal.SIGINT, signal.SIG_IGN)
    try:
        if server is not None:
            server.stop()
        if not keep:
            shutil.rmtree(tmp, ignore_errors=True)
            if pg_database is not None:
                with contextlib.suppress(Exception):
                    pg_drop(pg_database)
    finally:
        signal.signal(signal.SIGINT, previous)
