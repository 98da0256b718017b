"""The crash-durability check (``gongzhi bench crash``): does an acknowledged case survive
the server dying under load?

On a scratch PostgreSQL database (its own name per run, dropped at the end) with the 嘉祥
demo, granian runs with the production settings; a load generator in its own process
registers cases through ``POST /api/cases/`` with a token and an ``Idempotency-Key``, as
the 12345 hotline's integration does. In the middle of the load the whole granian process
group is killed with SIGKILL (and, if asked, every database session of the app is ended
with ``pg_terminate_backend``), then granian is started again. The generator behaves like a
careful integration: when a request fails without an answer it cannot know whether the
case was registered, so it sends the same request with the same key again until it gets
an answer (a replay answers 200 with the case registered the first time).

Afterwards every acknowledged case (a 201 or 200 with its ledger number) must be in the
database under that number, no key may have two cases, and the ledger numbers of each
jurisdiction and year must run 1, 2, 3 … without a gap.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import secrets
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from gongzhi.bench.load import REQUEST_TIMEOUT, case_bodies, request_parts
from gongzhi.bench.server import (
    CASE_TABLE,
    PG_ADMIN_URL,
    Server,
    free_port,
    pg_drop,
    pg_recreate,
    prepare_database,
    server_env,
    start_server,
)

RETRYABLE = (502, 503, 504)


# --- the load generator (its own process) ---------------------------------------------------


@dataclass
class Record:
    """One case the generator tried to register, under one idempotency key."""

    part: int  # which pre-encoded request body
    attempts: int = 0
    uncertain: int = 0  # attempts that ended without an answer (the server may have it)
    refused: int = 0  # 502/503/504 answers (unavailable: tried again)
    status: int = 0  # the final answer: 201 new, 200 replay, other = error; 0 = none
    number: str = ""


async def _read_answer(reader: asyncio.StreamReader) -> tuple[int, bytes]:
    head = await reader.readuntil(b"\r\n\r\n")
    status = int(head[9:12])
    length, chunked = 0, False
    for line in head.split(b"\r\n")[1:]:
        name, _, value = line.partition(b":")
        if name.strip().lower() == b"content-length":
            length = int(value)
        elif name.strip().lower() == b"transfer-encoding" and b"chunked" in value.lower():
            chunked = True
    if not chunked:
        return status, await reader.readexactly(length) if length else b""
    body = b""
    while size := int((await reader.readuntil(b"\r\n")).split(b";")[0], 16):
        body += (await reader.readexactly(size + 2))[:-2]
    await reader.readexactly(2)
    return status, body


async def _crash_load(
    *,
    host: str,
    port: int,
    parts: Sequence[tuple[bytes, bytes]],
    connections: int,
    duration: float,
    drain: float,
    key_prefix: str,
    max_keys: int = 0,
    pause: float = 0.2,
) -> dict[str, Record]:
    """New keys for ``duration`` seconds (or until ``max_keys`` keys); then up to
    ``drain`` seconds more to get an answer for the keys still waiting for one. After a
    failure a connection waits ``pause`` seconds (2.5 × after a 503) before trying again."""
    perf = time.perf_counter
    stop_new = perf() + duration
    hard_stop = stop_new + drain
    records: dict[str, Record] = {}

    async def worker(n: int) -> None:
        seq = 0
        pending: str | None = None
        conn: tuple[asyncio.StreamReader, asyncio.StreamWriter] | None = None
        try:
            while True:
                now = perf()
                if pending is None:
                    if now >= stop_new or (max_keys and len(records) >= max_keys):
                        return
                    pending = f"{key_prefix}-{n}-{seq}"
                    records[pending] = Record(part=(n + seq * connections) % len(parts))
                    seq += 1
                if now >= hard_stop:
                    return
                record = records[pending]
                if conn is None:
                    try:
                        conn = await asyncio.wait_for(asyncio.open_connection(host, port), 2.0)
                    except (OSError, TimeoutError):
                        await asyncio.sleep(pause)  # the server is down: nothing was sent
                        continue
                reader, writer = conn
                head, tail = parts[record.part]
                record.attempts += 1
                try:
                    writer.write(head + pending.encode() + tail)
                    await writer.drain()
                    status, body = await asyncio.wait_for(_read_answer(reader), REQUEST_TIMEOUT)
                except (TimeoutError, OSError, asyncio.IncompleteReadError, ValueError):
                    # No answer: the server may or may not have registered it.
                    record.uncertain += 1
                    with contextlib.suppress(Exception):
                        writer.close()
                    conn = None
                    await asyncio.sleep(pause)
                    continue
                if status in RETRYABLE:
                    record.refused += 1
                    await asyncio.sleep(2.5 * pause)
                    continue
                record.status = status
                if status in (200, 201):
                    record.number = str(json.loads(body)["number"])
                pending = None
        finally:
            if conn is not None:
                with contextlib.suppress(Exception):
                    conn[1].close()

    await asyncio.gather(*(worker(n) for n in range(connections)))
    return records


def run_crash_client(
    *,
    host: str,
    port: int,
    token: str,
    connections: int,
    duration: float,
    drain: float,
    key_prefix: str,
    out: str,
) -> None:
    """The generator's process: run the load, write the records as JSON to ``out``."""
    if host not in ("127.0.0.1", "localhost", "::1"):
        raise ValueError("the load generator only targets loopback")
    parts = request_parts(
        host=host, port=port, path="/api/cases/", token=token, bodies=case_bodies()
    )
    records = asyncio.run(
        _crash_load(
            host=host,
            port=port,
            parts=parts,
            connections=connections,
            duration=duration,
            drain=drain,
            key_prefix=key_prefix,
        )
    )
    Path(out).write_text(json.dumps({k: asdict(v) for k, v in records.items()}))


# --- the check -----------------------------------------------------------------------------


@dataclass
class CrashReport:
    sent: int  # keys the generator started
    acknowledged: int  # keys answered 201 or 200 with a ledger number
    present: int  # of those, in the database under that number
    missing: list[str]  # acknowledged but absent (or under another number): must be empty
    uncertain: int  # keys with an attempt that ended without an answer
    replayed: int  # … answered 200 on a later attempt: registered before the crash
    registered_on_retry: int  # … answered 201 later: the first attempt never committed
    unanswered: list[str]  # keys never answered (the run ended first)
    unanswered_present: int  # of those, in the database all the same
    errors: dict[str, int]  # other final answers by status
    refused: int  # 502/503/504 answers seen (tried again)
    duplicates: list[str]  # keys with more than one case: must be empty
    cases_in_db: int  # every case in the database, the demo's included
    gaps: dict[str, list[int]]  # ledger prefix -> missing numbers: must be empty
    ledgers: dict[str, int]  # ledger prefix -> highest number
    events: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not (self.missing or self.duplicates or self.gaps or self.errors)

    def lines(self) -> list[str]:
        gapless = "; ".join(f"{p}000001…{n:06d}" for p, n in sorted(self.ledgers.items()))
        return [
            *self.events,
            f"sent {self.sent} registrations; acknowledged {self.acknowledged} "
            f"(201 or 200 with a ledger number); present in the database "
            f"{self.present} of {self.acknowledged}"
            + (
                f" — MISSING {len(self.missing)}: {', '.join(self.missing[:5])}"
                if self.missing
                else ""
            ),
            f"in flight when the server died or the connection broke: {self.uncertain} "
            f"(sent again with the same key: {self.replayed} had been registered before the "
            f"crash and were answered 200, {self.registered_on_retry} had not and were "
            f"registered on the retry); 503 answers retried: {self.refused}",
            f"never answered before the run ended: {len(self.unanswered)}, of which in the "
            f"database: {self.unanswered_present}",
            f"duplicates (two cases for one key): {len(self.duplicates)}; other errors: "
            f"{self.errors or 'none'}",
            f"ledger numbers over all {self.cases_in_db} cases: "
            + (
                "gapless (" + gapless + ")"
                if not self.gaps
                else "GAPS " + "; ".join(f"{p}: {g[:10]}" for p, g in self.gaps.items())
            ),
            "crash check: " + ("ok" if self.ok else "FAILED"),
        ]


def ledger_gaps(numbers: Sequence[str]) -> tuple[dict[str, list[int]], dict[str, int]]:
    """Per ledger (prefix ``370829-2026-``): the missing sequence numbers below the highest,
    and the highest."""
    seqs: dict[str, list[int]] = {}
    for number in numbers:
        prefix, _, seq = number.rpartition("-")
        seqs.setdefault(prefix + "-", []).append(int(seq))
    gaps: dict[str, list[int]] = {}
    highest: dict[str, int] = {}
    for prefix, values in seqs.items():
        highest[prefix] = max(values)
        missing = sorted(set(range(1, highest[prefix] + 1)) - set(values))
        if missing:
            gaps[prefix] = missing
    return gaps, highest


def check(
    records: dict[str, dict[str, Any]], rows: Sequence[tuple[str, str | None]], key_prefix: str
) -> CrashReport:
    """``records``: the generator's, by key; ``rows``: (number, idempotency key) of every
    case in the database."""
    by_key: dict[str, list[str]] = {}
    for number, scoped in rows:
        # Stored scoped by caller ("<caller>:<the client's key>"); the client's keys hold no colon.
        key = scoped.rsplit(":", 1)[-1] if scoped else None
        if key and key.startswith(key_prefix):
            by_key.setdefault(key, []).append(number)
    acked = {k: r for k, r in records.items() if r["status"] in (200, 201)}
    missing = sorted(k for k, r in acked.items() if r["number"] not in by_key.get(k, []))
    uncertain = {k: r for k, r in records.items() if r["uncertain"]}
    unanswered = sorted(k for k, r in records.items() if not r["status"])
    errors = Counter(
        str(r["status"]) for r in records.values() if r["status"] and r["status"] not in (200, 201)
    )
    gaps, highest = ledger_gaps([number for number, _ in rows])
    return CrashReport(
        sent=len(records),
        acknowledged=len(acked),
        present=len(acked) - len(missing),
        missing=missing,
        uncertain=len(uncertain),
        replayed=sum(1 for r in uncertain.values() if r["status"] == 200),
        registered_on_retry=sum(1 for r in uncertain.values() if r["status"] == 201),
        unanswered=unanswered,
        unanswered_present=sum(1 for k in unanswered if k in by_key),
        errors=dict(errors),
        refused=sum(r["refused"] for r in records.values()),
        duplicates=sorted(k for k, numbers in by_key.items() if len(numbers) > 1),
        cases_in_db=len(rows),
        gaps=gaps,
        ledgers=highest,
    )


# --- the run ---------------------------------------------------------------------------------


def pg_terminate(name: str, admin_url: str = PG_ADMIN_URL) -> int:
    """End every session on database ``name`` (the app's connections, mid-transaction or
    idle); returns how many."""
    import psycopg

    with psycopg.connect(f"{admin_url}/postgres", autocommit=True) as conn:
        row = conn.execute(
            "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity"
            " WHERE datname = %s AND pid <> pg_backend_pid()",
            [name],
        ).fetchone()
    return int(row[0]) if row else 0


def case_rows(database_url: str) -> list[tuple[str, str | None]]:
    import psycopg

    with psycopg.connect(database_url) as conn:
        return [
            (str(n), k)
            for n, k in conn.execute(f"SELECT number, idempotency_key FROM {CASE_TABLE}")
        ]


def _group_size(pgid: int) -> int:
    count = 0
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            with contextlib.suppress(OSError, ValueError, IndexError):
                stat = Path(f"/proc/{entry}/stat").read_text()
                if int(stat[stat.rindex(")") + 2 :].split()[2]) == pgid:
                    count += 1
    return count


def crash_run(
    *,
    connections: int = 8,
    duration: float = 20.0,
    kill_at: Sequence[float] = (5.0, 12.0),
    pg_terminate_at: Sequence[float] = (),
    workers: int = 2,
    threads: int = 1,
    drain: float = 60.0,
    keep: bool = False,
    log: Callable[[str], None] = print,
) -> CrashReport:
    """One run; the scratch database, the temporary directory and every process started
    here are removed in the end, also on Ctrl-C or SIGTERM (raised as KeyboardInterrupt)."""
    name = f"gongzhi_crash_{secrets.token_hex(4)}"
    tmp = Path(tempfile.mkdtemp(prefix="gongzhi-crash-"))
    server: Server | None = None
    client: subprocess.Popen[bytes] | None = None
    created_db = False
    events: list[str] = []
    try:
        database_url = pg_recreate(name)
        created_db = True
        env = server_env(database_url=database_url, var_dir=tmp / "var")
        log(f"[crash] scratch database {name}: migrating and loading the 嘉祥 demo …")
        token = prepare_database(env)
        port = free_port()
        starts = 0

        def start() -> Server:
            nonlocal starts
            starts += 1
            run_dir = tmp / f"run-{starts}"
            run_dir.mkdir()
            return start_server(
                env=env, workers=workers, threads=threads, port=port, log=run_dir / "granian.log"
            )

        log(f"[crash] granian wsgi, {workers} workers × {threads} threads on 127.0.0.1:{port}")
        server = start()
        key_prefix = f"crash-{secrets.token_hex(4)}"
        out = tmp / "records.json"
        spec = {
            "host": "127.0.0.1",
            "port": port,
            "token": token,
            "connections": connections,
            "duration": duration,
            "drain": drain,
            "key_prefix": key_prefix,
            "out": str(out),
        }
        client_log = (tmp / "client.log").open("wb")
        client = subprocess.Popen(
            [sys.executable, "-m", "gongzhi.bench", "crash-client", json.dumps(spec)],
            stdout=client_log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        client_log.close()
        t0 = time.monotonic()
        plan = sorted([(t, "kill") for t in kill_at] + [(t, "pg") for t in pg_terminate_at])
        for at, what in plan:
            time.sleep(max(0.0, t0 + at - time.monotonic()))
            now = time.monotonic() - t0
            if what == "kill":
                assert server is not None
                size = _group_size(server.process.pid)
                os.killpg(server.process.pid, signal.SIGKILL)
                server.process.wait(timeout=10)
                server = None
                events.append(
                    f"{now:5.1f} s  kill -9 of granian's process group ({size} processes)"
                )
                log(f"[crash] {events[-1]}; restarting …")
                server = start()
                events.append(f"{time.monotonic() - t0:5.1f} s  granian answering again")
            else:
                n = pg_terminate(name)
                events.append(f"{now:5.1f} s  pg_terminate_backend of the app's {n} sessions")
            log(f"[crash] {events[-1]}")
        client.wait(timeout=duration + drain + REQUEST_TIMEOUT + 60)
        if client.returncode != 0 or not out.exists():
            raise RuntimeError(
                f"the load generator failed:\n{(tmp / 'client.log').read_text()[-3000:]}"
            )
        client = None
        server.stop()
        server = None
        records = json.loads(out.read_text())
        report = check(records, case_rows(database_url), key_prefix)
        report.events = events
        return report
    finally:
        previous = signal.signal(signal.SIGINT, signal.SIG_IGN)
        try:
            if client is not None and client.poll() is None:
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(client.pid, signal.SIGKILL)
                client.wait(timeout=10)
            if server is not None:
                server.stop()
            if not keep:
                shutil.rmtree(tmp, ignore_errors=True)
                if created_db:
                    with contextlib.suppress(Exception):
                        pg_drop(name)
            else:
                log(f"[crash] kept {tmp} and database {name}")
        finally:
            signal.signal(signal.SIGINT, previous)
