"""The intake measured in one process (``gongzhi bench intake --in-process``): the CPU and
the SQL statements of one registration through ``POST /api/cases/``, without HTTP, granian
or a load generator sharing the machine's two cores with it.

The command makes a fresh database with the 嘉祥 demo and a token for ``dispatcher``
(``gongzhi.bench.server``), then runs ``python -m gongzhi.bench inprocess SPEC`` in a child
process with the production settings and that database: Django's test client (the whole
middleware stack, CSRF checks enforced as for any client), the load generator's request
bodies and headers with a unique ``Idempotency-Key``, a warm-up not counted, then N
registrations timed with ``time.process_time`` (CPU of this process) and
``time.perf_counter``, every statement counted by a ``connection.execute_wrapper`` (cheap
enough not to move the CPU figure, unlike ``CaptureQueriesContext``'s debug cursor).

``broker``: ``eager`` runs Celery tasks in the request (no broker: the demo's and the
bench server's default); ``redis`` queues them to Redis on a queue of this run only (no
worker: what the request pays for is the push), deleted at the end. Deployments run the
second way. Nothing Django is imported at module level."""

from __future__ import annotations

import cProfile
import json
import os
import secrets
import subprocess
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from gongzhi.bench.load import case_bodies
from gongzhi.bench.server import (
    clean_up,
    pg_recreate,
    prepare_database,
    server_env,
)

REDIS_URL = os.environ.get("GONGZHI_BENCH_REDIS_URL", "redis://127.0.0.1:6379/0")


@dataclass
class InProcessResult:
    database: str
    broker: str
    quiet_hours: str
    registrations: int
    cpu_s: float
    wall_s: float
    statements: int
    created: int  # 201 answers
    errors: int  # any other answer
    kinds: dict[str, int] = field(default_factory=dict)  # statements by their first words

    @property
    def cpu_ms(self) -> float:
        return 1000 * self.cpu_s / max(1, self.registrations)

    @property
    def wall_ms(self) -> float:
        return 1000 * self.wall_s / max(1, self.registrations)

    @property
    def per_registration(self) -> float:
        return self.statements / max(1, self.registrations)

    def line(self) -> str:
        return (
            f"{self.database:<10} broker={self.broker:<6} {self.registrations:>5} registrations  "
            f"{self.cpu_ms:6.2f} ms CPU  {self.wall_ms:6.2f} ms wall  "
            f"{self.per_registration:6.2f} statements per registration  "
            f"(201: {self.created}, other: {self.errors})"
        )

    def kinds_lines(self) -> list[str]:
        n = max(1, self.registrations)
        return [
            f"    {count / n:6.2f}  {kind}"
            for kind, count in sorted(self.kinds.items(), key=lambda kv: -kv[1])
        ]


def _kind(sql: str) -> str:
    """A statement's verb and table, enough to tell the intake's statements apart."""
    words = sql.replace('"', "").split()
    upper = [w.upper() for w in words]
    if not words:
        return ""
    verb = upper[0]
    if verb in ("UPDATE", "WITH") and len(words) > 1:
        return f"{verb} {words[1]}"
    marker = "INTO" if verb == "INSERT" else "FROM"
    if marker in upper and upper.index(marker) + 1 < len(words):
        return f"{verb} {words[upper.index(marker) + 1]}"
    return verb


def measure(
    *,
    token: str,
    warmup: int,
    registrations: int,
    broker: str,
    database: str,
    profile: str = "",
) -> InProcessResult:
    """In the child process: django is set up with the bench database's environment.
    ``profile``: a path to write a cProfile of the timed registrations to (CPU clock;
    the profiler's overhead then inflates the CPU figure, so read the shares)."""
    import django

    django.setup()
    from django.conf import settings
    from django.db import connection
    from django.test import Client

    bodies = case_bodies()
    client = Client(
        enforce_csrf_checks=True,
        HTTP_HOST="127.0.0.1",
        HTTP_AUTHORIZATION=f"Bearer {token}",
    )
    prefix = f"inproc-{secrets.token_hex(6)}"

    def post(i: int) -> int:
        response = client.post(
            "/api/cases/",
            data=bodies[i % len(bodies)],
            content_type="application/json",
            headers={"Idempotency-Key": f"{prefix}-{i}"},
        )
        return int(response.status_code)

    for i in range(warmup):
        post(-1 - i)
    statements: list[str] = []

    def counting(execute: Callable[..., Any], sql: str, params: Any, many: bool, ctx: Any) -> Any:
        statements.append(sql)
        return execute(sql, params, many, ctx)

    statuses: Counter[int] = Counter()
    profiler = cProfile.Profile(time.process_time) if profile else None
    with connection.execute_wrapper(counting):
        cpu0, wall0 = time.process_time(), time.perf_counter()
        if profiler:
            profiler.enable()
        for i in range(registrations):
            statuses[post(i)] += 1
        if profiler:
            profiler.disable()
        cpu, wall = time.process_time() - cpu0, time.perf_counter() - wall0
    if profiler:
        profiler.dump_stats(profile)
    return InProcessResult(
        database=database,
        broker=broker,
        quiet_hours=str(settings.GONGZHI_NOTIFY_QUIET_HOURS or "off"),
        registrations=registrations,
        cpu_s=cpu,
        wall_s=wall,
        statements=len(statements),
        created=statuses[201],
        errors=sum(n for s, n in statuses.items() if s != 201),
        kinds=dict(Counter(_kind(sql) for sql in statements)),
    )


def run_child(spec: dict[str, Any]) -> None:
    """``python -m gongzhi.bench inprocess SPEC``: print the result as JSON."""
    print(json.dumps(asdict(measure(**spec))))


def bench_inprocess(
    db: str,
    *,
    registrations: int = 300,
    warmup: int = 20,
    broker: str = "eager",
    runs: int = 1,
    quiet_hours: str = "",
    pg_database: str = "gongzhi_bench",
    keep: bool = False,
    profile: str = "",
    log: Callable[[str], None] = print,
) -> list[InProcessResult]:
    """A fresh database with the demo, then ``runs`` child processes measuring in turn."""
    tmp = Path(tempfile.mkdtemp(prefix=f"gongzhi-inproc-{db}-"))
    queue = f"gongzhi-inproc-{secrets.token_hex(4)}"
    try:
        database_url = (
            pg_recreate(pg_database) if db == "pg" else f"sqlite:///{tmp / 'bench.sqlite3'}"
        )
        extra = {"GONGZHI_NOTIFY_QUIET_HOURS": quiet_hours}
        if broker == "redis":
            extra.update(
                CELERY_BROKER_URL=REDIS_URL, REDIS_URL=REDIS_URL, CELERY_TASK_DEFAULT_QUEUE=queue
            )
        env = server_env(database_url=database_url, var_dir=tmp / "var", extra=extra)
        # i18n: data (benchmark output naming the demo county)
        log(f"[{db}] migrating and loading the 嘉祥 demo …")
        token = prepare_database(env)
        name = "postgresql" if db == "pg" else "sqlite"
        spec = {
            "token": token,
            "warmup": warmup,
            "registrations": registrations,
            "broker": broker,
            "database": name,
            "profile": str(Path(profile).resolve()) if profile else "",
        }
        results = []
        for k in range(runs):
            log(f"[{db}] run {k + 1} of {runs}: {warmup} + {registrations} registrations")
            out = subprocess.run(
                [sys.executable, "-m", "gongzhi.bench", "inprocess", json.dumps(spec)],
                env=env,
                capture_output=True,
                text=True,
                timeout=1800,
            )
            if out.returncode != 0:
                raise RuntimeError(f"the in-process run failed:\n{out.stderr[-3000:]}")
            data = json.loads(out.stdout.strip().splitlines()[-1])
            results.append(InProcessResult(**data))
        return results
    finally:
        if broker == "redis":
            _drop_queue(queue)
        clean_up(None, tmp, keep=keep, pg_database=pg_database if db == "pg" else None)


def _drop_queue(queue: str) -> None:
    """The tasks this run pushed to Redis (no worker took them)."""
    import redis

    client = redis.Redis.from_url(REDIS_URL)
    client.delete(queue)
