"""The intake benchmark (issue 3, "Speed"): start the app under granian (WSGI, production
settings) against a fresh database, register and route cases over HTTP from a load
generator on loopback, and report cases/s, p50/p99 latency, errors and a count check
(cases in the database == successful 201 responses).

The load generator runs in its own process (``python -m gongzhi.bench client SPEC``), so
that it shares a GIL with nothing. Nothing Django is imported at module level: the client
process stays lean. The server and databases are ``gongzhi.bench.server``'s.
"""

from __future__ import annotations

import contextlib
import os
import secrets
import subprocess
import tempfile
import time
from collections.abc import Callable, Iterator
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from gongzhi.bench.load import LoadResult, count_check, run_load_in_process
from gongzhi.bench.server import (
    PG_BENCH_DB,
    Server,
    _group_cpu_seconds,
    clean_up,
    count_cases,
    free_port,
    machine_busy_seconds,
    pg_recreate,
    prepare_database,
    server_env,
    start_server,
)
from gongzhi.bench.wrk import run_wrk

# --broker redis: a broker and shared cache, as a deployment has; the queue is this run's.
REDIS_URL = os.environ.get("GONGZHI_BENCH_REDIS_URL", "redis://127.0.0.1:6379/0")

# --- one row ---------------------------------------------------------------------------


@dataclass
class Row:
    database: str
    result: LoadResult
    cases_before: int
    cases_after: int
    server_cpu_s: float
    server_runqueue_s: float  # runnable but waiting for a CPU
    machine_busy_s: float  # CPU seconds of every process on the machine
    window_s: float  # wall seconds over which the three figures above were taken
    cases_in_window: int  # cases created in that time (warm-up included)
    workers: int
    threads: int
    broker: str = "eager"
    worker_cpu_s: float = 0.0  # the Celery worker's, with --broker redis

    @property
    def cut_off(self) -> int:
        """wrk stops at its deadline with up to one request per connection in flight: the
        server still creates those cases but wrk never sees their 201."""
        extra = self.cases_after - self.cases_before - self.result.created_total
        if self.result.generator == "wrk" and 0 < extra <= self.result.connections:
            return extra
        return 0

    @property
    def check(self) -> str:
        return count_check(
            self.cases_after - self.cases_before - self.cut_off, self.result.created_total
        )

    def line(self) -> str:
        r = self.result
        return (
            f"{self.database:<10} {r.connections:>5} {r.requests:>8} {r.rate:>9.1f} "
            f"{r.p50_ms:>8.1f} {r.p99_ms:>8.1f} {r.errors:>6}  {self.check} "
            f"({self.cases_after - self.cases_before} cases = {r.created_total} × 201"
            + (f" + {self.cut_off} in flight when wrk stopped" if self.cut_off else "")
            + ")"
        )

    def as_dict(self) -> dict[str, Any]:
        d = asdict(self)
        d.update(rate=self.result.rate, check=self.check)
        return d


def measured_row(
    *,
    name: str,
    server: Server,
    count: Callable[[], int],
    spec: dict[str, Any],
    workers: int,
    threads: int,
) -> Row:
    """A row measured against a started ``server``, the way every side-by-side row is
    (the peer's of gongzhi.bench.peer, the floor's of gongzhi.bench.floor): rows counted,
    the load generator run in its own process with ``spec``, the server's CPU and run-queue
    wait and the machine's busy time over the window, the server stopped, rows counted
    again."""
    before = count()
    cpu0, wait0 = server.cpu_seconds()
    busy0 = machine_busy_seconds()
    wall0 = time.monotonic()
    result = run_load_in_process(**spec)
    cpu1, wait1 = server.cpu_seconds()
    machine_busy = machine_busy_seconds() - busy0
    window = time.monotonic() - wall0
    server.stop()
    return Row(
        database=name,
        result=result,
        cases_before=before,
        cases_after=count(),
        server_cpu_s=cpu1 - cpu0,
        server_runqueue_s=wait1 - wait0,
        machine_busy_s=machine_busy,
        window_s=window,
        cases_in_window=result.created_total,
        workers=workers,
        threads=threads,
    )


HEADER = (
    f"{'database':<10} {'conns':>5} {'requests':>8} {'cases/s':>9} "
    f"{'p50 ms':>8} {'p99 ms':>8} {'errors':>6}  count check"
)


def bench_one(
    db: str,
    *,
    connections: int,
    duration: float,
    max_requests: int,
    warmup: float,
    workers: int,
    threads: int,
    use_wrk: bool,
    synchronous_commit: bool = True,
    keep: bool = False,
    log: Callable[[str], None] = print,
    pg_database: str = PG_BENCH_DB,
    broker: str = "eager",
) -> Row:
    """One database's row. ``broker="redis"``: the server gets Redis as broker and cache
    (REDIS_URL) on a queue of this run, and a Celery worker started here delivers the
    outbox's messages, so that delivery leaves the request as in a deployment; "eager"
    (no broker) delivers them in the request after the commit."""
    from gongzhi.bench.scaleout import start_worker, stop_group, wait_for

    tmp = Path(tempfile.mkdtemp(prefix=f"gongzhi-bench-{db}-"))
    server: Server | None = None
    worker: subprocess.Popen[bytes] | None = None
    queue = f"gongzhi-bench-{secrets.token_hex(4)}"
    try:
        database_url = (
            pg_recreate(pg_database, synchronous_commit=synchronous_commit)
            if db == "pg"
            else f"sqlite:///{tmp / 'bench.sqlite3'}"
        )
        extra = {}
        if broker == "redis":
            extra = {
                "CELERY_BROKER_URL": REDIS_URL,
                "REDIS_URL": REDIS_URL,
                "CELERY_TASK_DEFAULT_QUEUE": queue,
            }
        env = server_env(database_url=database_url, var_dir=tmp / "var", extra=extra)
        # i18n: data (benchmark output naming the demo county)
        log(f"[{db}] migrating and loading the 嘉祥 demo …")
        token = prepare_database(env)
        if broker == "redis":
            worker_log = tmp / "worker.log"
            worker = start_worker(env, queue, worker_log)
            wait_for(lambda: "ready." in worker_log.read_text(errors="replace"), 120, "the worker")
            log(f"[{db}] celery worker ready on queue {queue} ({REDIS_URL})")
        before = count_cases(database_url)
        port = free_port()
        log(f"[{db}] granian wsgi, {workers} workers × {threads} threads on 127.0.0.1:{port}")
        server = start_server(
            env=env, workers=workers, threads=threads, port=port, log=tmp / "granian.log"
        )
        key_prefix = f"bench-{secrets.token_hex(6)}"
        warm_created = 0
        if use_wrk and warmup > 0:
            warm_created = run_load_in_process(
                host="127.0.0.1",
                port=port,
                token=token,
                connections=connections,
                duration=warmup,
                key_prefix=key_prefix + "w",
            ).created_total
        cpu0, wait0 = server.cpu_seconds()
        worker0 = _group_cpu_seconds(worker.pid)[0] if worker else 0.0
        busy0 = machine_busy_seconds()
        wall0 = time.monotonic()
        if use_wrk:
            result = run_wrk(
                host="127.0.0.1",
                port=port,
                token=token,
                connections=connections,
                duration=duration,
                workdir=tmp,
                key_prefix=key_prefix,
            )
        else:
            result = run_load_in_process(
                host="127.0.0.1",
                port=port,
                token=token,
                connections=connections,
                duration=duration,
                max_requests=max_requests,
                warmup=warmup,
                key_prefix=key_prefix,
            )
        cpu1, wait1 = server.cpu_seconds()
        worker_cpu = _group_cpu_seconds(worker.pid)[0] - worker0 if worker else 0.0
        server_cpu, server_wait = cpu1 - cpu0, wait1 - wait0
        machine_busy = machine_busy_seconds() - busy0
        window = time.monotonic() - wall0
        cases_in_window = result.created_total
        server.stop()
        server = None
        after = count_cases(database_url)
        result.created_total += warm_created  # the wrk warm-up ran separately
        name = "sqlite" if db == "sqlite" else "postgresql"
        if db == "pg" and not synchronous_commit:
            name = "pg-async"
        return Row(
            database=name,
            result=result,
            cases_before=before,
            cases_after=after,
            server_cpu_s=server_cpu,
            server_runqueue_s=server_wait,
            machine_busy_s=machine_busy,
            window_s=window,
            cases_in_window=cases_in_window,
            workers=workers,
            threads=threads,
            broker=broker,
            worker_cpu_s=worker_cpu,
        )
    finally:
        stop_group(worker)
        if broker == "redis":
            with contextlib.suppress(Exception):
                _drop_queue(queue)
        clean_up(server, tmp, keep=keep, pg_database=pg_database if db == "pg" else None)


def _drop_queue(queue: str) -> None:
    """Whatever this run left in its Redis queue."""
    import redis

    redis.Redis.from_url(REDIS_URL).delete(queue)


def dbs(choice: str) -> Iterator[str]:
    yield from {"pg": ["pg"], "sqlite": ["sqlite"], "both": ["pg", "sqlite"]}[choice]
