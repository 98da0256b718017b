"""The floor under any Python intake on this machine (issue 12, "Targets": intake at 12×
django-helpdesk).

A bare WSGI application, no framework: it checks the bearer token, reads the same JSON
body as ``POST /api/cases/`` and stores it with one statement, ``INSERT … ON CONFLICT
(idempotency key) DO NOTHING RETURNING id`` in autocommit, so that a 201 means the row's
commit is on disk (``synchronous_commit`` stays on). No routing, no ledger number, no
events, no notification, no validation beyond "estate and title are there": what is left
is the HTTP server, Python's share of a request and one durable INSERT.

It runs under the same granian, with the same workers and threads, load generator,
connections, duration and warm-up as the other rows (``gongzhi bench intake --db pg
--peer helpdesk --floor``), in its own database (``floor_bench``). Its rate is an upper
bound for any registration written in Python on this machine, whatever its framework:
if 12× the peer is above the floor, no change to Gongzhi's intake path alone can reach
the target here.
"""

from __future__ import annotations

import json
import os
import secrets
import tempfile
import threading
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

from gongzhi.bench.intake import Row, measured_row
from gongzhi.bench.server import (
    Server,
    clean_up,
    count_cases,
    free_port,
    pg_recreate,
    server_env,
    start_server,
)

FLOOR_DB = "floor_bench"
FLOOR_TABLE = "floor_case"
FLOOR_NAME = "floor (bare WSGI)"
TOKEN_ENV = "GONGZHI_BENCH_FLOOR_TOKEN"

CREATE_TABLE = f"""
CREATE TABLE IF NOT EXISTS {FLOOR_TABLE} (
    id bigserial PRIMARY KEY,
    idempotency_key text NOT NULL UNIQUE,
    channel text NOT NULL,
    estate text NOT NULL,
    matter_code text NOT NULL,
    title text NOT NULL,
    description text NOT NULL,
    reporter_name text NOT NULL,
    reporter_phone text NOT NULL,
    created_at timestamptz NOT NULL DEFAULT now()
)"""

INSERT = f"""
INSERT INTO {FLOOR_TABLE} (idempotency_key, channel, estate, matter_code, title,
                           description, reporter_name, reporter_phone)
VALUES (%s, %s, %s, %s, %s, %s, %s, %s)
ON CONFLICT (idempotency_key) DO NOTHING
RETURNING id"""

FIELDS = ("channel", "estate", "matter_code", "title", "description", "reporter_name")


class FloorApp:
    """The WSGI callable: one psycopg connection per thread, autocommit."""

    def __init__(self, database_url: str, token: str) -> None:
        self.database_url = database_url
        self.bearer = f"Bearer {token}"
        self.local = threading.local()

    def connection(self) -> Any:
        import psycopg

        conn = getattr(self.local, "conn", None)
        if conn is None or conn.closed:
            conn = psycopg.connect(self.database_url, autocommit=True)
            self.local.conn = conn
        return conn

    def __call__(
        self, environ: dict[str, Any], start_response: Callable[..., Any]
    ) -> Iterable[bytes]:
        status, body = self.handle(environ)
        data = json.dumps(body, ensure_ascii=False).encode()
        start_response(
            status,
            [("Content-Type", "application/json"), ("Content-Length", str(len(data)))],
        )
        return [data]

    def handle(self, environ: dict[str, Any]) -> tuple[str, dict[str, Any]]:
        if environ.get("REQUEST_METHOD") != "POST":
            return "405 Method Not Allowed", {"detail": "POST only"}
        if environ.get("HTTP_AUTHORIZATION", "") != self.bearer:
            return "401 Unauthorized", {"detail": "bad token"}
        key = environ.get("HTTP_IDEMPOTENCY_KEY", "")
        try:
            length = int(environ.get("CONTENT_LENGTH") or 0)
            payload = json.loads(environ["wsgi.input"].read(length))
        except (ValueError, KeyError):
            return "400 Bad Request", {"detail": "the body is not JSON"}
        if not isinstance(payload, dict):
            return "400 Bad Request", {"detail": "the body is not a JSON object"}
        missing = [f for f in ("estate", "title") if not payload.get(f)]
        if not key or missing:
            return "422 Unprocessable Entity", {"missing": missing or ["Idempotency-Key"]}
        values = [key, *(str(payload.get(f, "")) for f in FIELDS)]
        values.append(str(payload.get("reporter_phone", "")))
        conn = self.connection()
        row = conn.execute(INSERT, values).fetchone()
        if row is None:  # a replay: the first answer's row
            found = conn.execute(
                f"SELECT id FROM {FLOOR_TABLE} WHERE idempotency_key = %s", [key]
            ).fetchone()
            return "200 OK", {"id": found[0] if found else None}
        return "201 Created", {"id": row[0]}


def create_table(database_url: str) -> None:
    import psycopg

    with psycopg.connect(database_url, autocommit=True) as conn:
        conn.execute(CREATE_TABLE)


def floor_application() -> FloorApp:
    """granian's target (a factory), with the readiness file of gongzhi.bench.server."""
    app = FloorApp(os.environ["DATABASE_URL"], os.environ[TOKEN_ENV])
    app.connection()  # connect now, not on the first measured request
    ready = os.environ.get("GONGZHI_BENCH_READY_DIR")
    if ready:
        Path(ready, str(os.getpid())).touch()
    return app


def bench_floor(
    *,
    connections: int,
    duration: float,
    max_requests: int,
    warmup: float,
    workers: int,
    threads: int,
    keep: bool = False,
    log: Callable[[str], None] = print,
) -> Row:
    """The floor's row, measured as gongzhi.bench.peer measures the peer's."""
    tmp = Path(tempfile.mkdtemp(prefix="gongzhi-bench-floor-"))
    server: Server | None = None
    try:
        database_url = pg_recreate(FLOOR_DB)
        create_table(database_url)
        token = secrets.token_urlsafe(24)
        env = server_env(database_url=database_url, var_dir=tmp / "var", extra={TOKEN_ENV: token})
        port = free_port()
        log(f"[floor] granian wsgi, {workers} workers × {threads} threads on 127.0.0.1:{port}")
        server = start_server(
            env=env,
            workers=workers,
            threads=threads,
            port=port,
            log=tmp / "granian.log",
            target="gongzhi.bench.floor:floor_application",
        )
        return measured_row(
            name="floor",
            server=server,
            count=lambda: count_cases(database_url, FLOOR_TABLE),
            spec={
                "host": "127.0.0.1",
                "port": port,
                "token": token,
                "connections": connections,
                "duration": duration,
                "max_requests": max_requests,
                "warmup": warmup,
                "key_prefix": f"floor-{secrets.token_hex(6)}",
            },
            workers=workers,
            threads=threads,
        )
    finally:
        clean_up(server, tmp, keep=keep, pg_database=FLOOR_DB)


def floor_line(floor_rate: float, peer_rate: float, target: float) -> str:
    """What the floor says about the target: 12× the peer against the bare INSERT's rate."""
    if peer_rate <= 0 or floor_rate <= 0:
        return "floor: no rate to compare"
    needed = target * peer_rate
    verdict = (
        "the target is above what a bare Python INSERT reaches on this machine"
        if needed > floor_rate
        else "the target is below the floor"
    )
    return (
        f"floor: {target:g}× the peer is {needed:.0f}/s; the bare WSGI INSERT reached "
        f"{floor_rate:.1f}/s ({floor_rate / peer_rate:.2f}× the peer): {verdict}"
    )
