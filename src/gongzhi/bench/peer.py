"""Gongzhi's intake side by side with its peer, django-helpdesk (issue 12, "Targets": at
least 12× django-helpdesk's intake at 16 connections on PostgreSQL, measured in the same
run on the same machine).

The peer is the minimal Django project under ``bench/peer/`` (settings, urls, wsgi,
``prepare``), with django-helpdesk 2.6.1 and its dependencies pinned in
``bench/peer/requirements.txt``. It runs from its own venv, made with ``uv venv`` and
``uv pip install`` in a cache directory under GONGZHI_VAR (or the temp directory) the first
time and kept, keyed by the requirements' hash: the peer is the only thing a bench may
download; Gongzhi itself never does.

Its row is measured like Gongzhi's (``gongzhi.bench.intake.bench_one``): a fresh
PostgreSQL database (``peer_bench``), granian with the same workers and threads in its own
process group (``gongzhi.bench.server.start_server``), the same load generator process
(``gongzhi.bench.load``) with the same connections, duration and warm-up, creating tickets
through helpdesk's own REST API (``POST /api/tickets/``, DRF token of a staff user, one
queue), and the same count check: tickets in the database == 201 responses.
"""

from __future__ import annotations

import hashlib
import json
import os
import secrets
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Callable
from pathlib import Path

from gongzhi.bench.intake import Row, measured_row
from gongzhi.bench.load import ESTATES, MATTERS
from gongzhi.bench.server import (
    Server,
    clean_up,
    count_cases,
    free_port,
    pg_recreate,
    start_server,
)

PEER_DB = "peer_bench"
TICKET_TABLE = "helpdesk_ticket"
TICKET_PATH = "/api/tickets/"
TARGET_RATIO = 12.0  # issue 12, "Targets"
PEER_NAME = "django-helpdesk"


def peer_dir() -> Path:
    """``bench/peer/`` of the work tree Gongzhi runs from (src/gongzhi → the root)."""
    return Path(__file__).resolve().parents[3] / "bench" / "peer"


def venv_dir(requirements: Path) -> Path:
    digest = hashlib.sha256(requirements.read_bytes()).hexdigest()[:12]
    base = Path(os.environ.get("GONGZHI_VAR") or tempfile.gettempdir())
    return base / "bench-peer" / f"helpdesk-{digest}"


def _tool_env() -> dict[str, str]:
    """The environment without Gongzhi's venv, settings or path, for the peer's tools."""
    env = {
        k: v
        for k, v in os.environ.items()
        if k not in ("VIRTUAL_ENV", "PYTHONPATH", "PYTHONHOME", "DJANGO_SETTINGS_MODULE")
    }
    env.pop("DATABASE_URL", None)
    return env


def ensure_venv(log: Callable[[str], None] = print) -> Path:
    """The peer's venv, made and filled from bench/peer/requirements.txt if it is not
    there yet (a marker file is written only when the install finished)."""
    requirements = peer_dir() / "requirements.txt"
    if not requirements.is_file():
        raise RuntimeError(f"the peer's project is missing: {requirements}")
    venv = venv_dir(requirements)
    marker = venv / ".installed"
    if marker.is_file():
        return venv
    uv = os.environ.get("UV") or shutil.which("uv")
    if not uv:
        raise RuntimeError("uv is needed to make the peer's venv")
    log(f"[{PEER_NAME}] making its venv in {venv} (uv venv + uv pip install -r {requirements})")
    shutil.rmtree(venv, ignore_errors=True)
    venv.parent.mkdir(parents=True, exist_ok=True)
    env = _tool_env()
    python = f"{sys.version_info.major}.{sys.version_info.minor}"
    for cmd in (
        [uv, "venv", "--quiet", "--python", python, str(venv)],
        [uv, "pip", "install", "--quiet", "--python", str(venv / "bin" / "python"),
         "-r", str(requirements)],
    ):  # fmt: skip
        out = subprocess.run(cmd, env=env, capture_output=True, text=True, timeout=900)
        if out.returncode != 0:
            raise RuntimeError(f"{' '.join(cmd[:3])} failed:\n{out.stderr[-3000:]}")
    marker.touch()
    return venv


def peer_env(*, venv: Path, database: str, var_dir: Path) -> dict[str, str]:
    """The peer server's environment (bench/peer/peer_site/settings.py reads it)."""
    env = _tool_env()
    env.pop("PYTHONDONTWRITEBYTECODE", None)  # workers start in seconds, as Gongzhi's
    env.update(
        {
            "PATH": f"{venv / 'bin'}{os.pathsep}{env.get('PATH', '')}",
            "PYTHONPATH": str(peer_dir()),
            "PYTHONPYCACHEPREFIX": str(Path(tempfile.gettempdir()) / "gongzhi-bench-pycache"),
            "DJANGO_SETTINGS_MODULE": "peer_site.settings",
            "PEER_SECRET_KEY": secrets.token_urlsafe(64),
            "PEER_DB_NAME": database,
            "PEER_MEDIA_ROOT": str(var_dir / "media"),
            "LOG_LEVEL": "WARNING",
        }
    )
    return env


def prepare_peer(*, venv: Path, env: dict[str, str]) -> tuple[str, int]:
    """Migrate, a staff user, a queue and a DRF token (bench/peer/peer_site/prepare.py),
    with the peer's python. Returns (token, queue id)."""
    out = subprocess.run(
        [str(venv / "bin" / "python"), "-m", "peer_site.prepare"],
        env=env,
        cwd=peer_dir(),
        capture_output=True,
        text=True,
        timeout=600,
    )
    if out.returncode != 0:
        raise RuntimeError(f"preparing the peer's database failed:\n{out.stderr[-3000:]}")
    data = json.loads(out.stdout.strip().splitlines()[-1])
    return str(data["token"]), int(data["queue"])


def ticket_bodies(queue: int) -> list[str]:
    """The tickets the load sends, one per estate × matter code like Gongzhi's cases
    (gongzhi.bench.load.case_bodies): the same title and description, the reporter as a
    submitter e-mail (helpdesk's tickets have no phone), priority 3 (its default)."""
    bodies = []
    for i, estate in enumerate(ESTATES):
        for j, matter in enumerate(MATTERS):
            body = {
                "queue": queue,
                "title": f"压测诉求 {estate} {matter}",  # i18n: data (a load test's tickets)
                "description": "楼道堆放杂物，影响通行，请尽快处理。（压测数据）",
                "submitter_email": f"resident{i:02d}{j:02d}@example.com",
                "priority": 3,
            }
            bodies.append(json.dumps(body, ensure_ascii=False))
    return bodies


def load_spec(
    *,
    port: int,
    token: str,
    queue: int,
    connections: int,
    duration: float,
    max_requests: int,
    warmup: float,
    key_prefix: str,
) -> dict:
    """The load generator's spec for the peer: the same client and parameters as
    Gongzhi's row, pointed at helpdesk's ticket API with its token."""
    return {
        "host": "127.0.0.1",
        "port": port,
        "token": "",
        "authorization": f"Token {token}",
        "path": TICKET_PATH,
        "bodies": ticket_bodies(queue),
        "connections": connections,
        "duration": duration,
        "max_requests": max_requests,
        "warmup": warmup,
        "key_prefix": key_prefix,
    }


def bench_helpdesk(
    *,
    venv: Path,
    connections: int,
    duration: float,
    max_requests: int,
    warmup: float,
    workers: int,
    threads: int,
    keep: bool = False,
    log: Callable[[str], None] = print,
) -> Row:
    tmp = Path(tempfile.mkdtemp(prefix="gongzhi-bench-peer-"))
    server: Server | None = None
    try:
        database_url = pg_recreate(PEER_DB)
        env = peer_env(venv=venv, database=PEER_DB, var_dir=tmp / "var")
        log(f"[{PEER_NAME}] migrating, a staff user, a queue and a DRF token …")
        token, queue = prepare_peer(venv=venv, env=env)
        port = free_port()
        log(
            f"[{PEER_NAME}] granian wsgi, {workers} workers × {threads} threads on 127.0.0.1:{port}"
        )
        server = start_server(
            env=env,
            workers=workers,
            threads=threads,
            port=port,
            log=tmp / "granian.log",
            granian=str(venv / "bin" / "granian"),
            target="peer_site.wsgi:bench_application",
            cwd=peer_dir(),
        )
        return measured_row(
            name=PEER_NAME,
            server=server,
            count=lambda: count_cases(database_url, TICKET_TABLE),
            spec=load_spec(
                port=port,
                token=token,
                queue=queue,
                connections=connections,
                duration=duration,
                max_requests=max_requests,
                warmup=warmup,
                key_prefix=f"peer-{secrets.token_hex(6)}",
            ),
            workers=workers,
            threads=threads,
        )
    finally:
        clean_up(server, tmp, keep=keep, pg_database=PEER_DB)


# --- the side-by-side figures ----------------------------------------------------------

SIDE_HEADER = (
    f"{'system':<16} {'conns':>5} {'requests':>8} {'per s':>9} {'':<9} "
    f"{'p50 ms':>8} {'p99 ms':>8} {'errors':>6}  count check"
)


def side_line(row: Row, *, unit: str, noun: str) -> str:
    """One row of the side-by-side table: ``unit`` is cases/s or tickets/s, ``noun`` what
    the count check counts in the database."""
    r = row.result
    return (
        f"{row.database:<16} {r.connections:>5} {r.requests:>8} {r.rate:>9.1f} {unit:<9} "
        f"{r.p50_ms:>8.1f} {r.p99_ms:>8.1f} {r.errors:>6}  {row.check} "
        f"({row.cases_after - row.cases_before} {noun} = {r.created_total} × 201)"
    )


def ratio_line(gongzhi_rate: float, peer_rate: float, target: float = TARGET_RATIO) -> str:
    if peer_rate <= 0:
        return f"ratio: {PEER_NAME} created nothing in the window; no ratio"
    ratio = gongzhi_rate / peer_rate
    verdict = "met" if ratio >= target else "not met"
    return (
        f"ratio: Gongzhi {gongzhi_rate:.1f} cases/s ÷ {PEER_NAME} {peer_rate:.1f} tickets/s"
        f" = {ratio:.2f}× (target ≥ {target:g}×: {verdict})"
    )
