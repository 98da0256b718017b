"""The scale-out check (``gongzhi bench scaleout``): several stateless web processes and a
Celery worker on one PostgreSQL and one Redis, working at once.

On a scratch PostgreSQL database (its own name per run, dropped at the end) with the 嘉祥
demo, ``--web`` granian servers (production settings, each with its own workers) listen
on their own ports with one shared cache (Redis), and one Celery worker (the production app, ``gongzhi.config.celery``)
takes tasks from Redis on a queue of this run's own. A load generator per server registers
cases through ``POST /api/cases/`` with the hotline's token and an ``Idempotency-Key``; in
the middle of the load the run sends the deadline sweep (``gongzhi.cases.sweep``) through
Redis several times, as celery beat does every minute, and the worker runs it against the
same database while the servers write.

The rollup of the dashboards (``gongzhi.stats.catch_up``) goes through Redis to the worker
the same way, during the load and once after it.

Afterwards: every acknowledged case is in the database under the number it was answered
with, no key has two cases, the ledger numbers of each jurisdiction and year run 1, 2, 3 …
without a gap although several processes drew them at once, every server took a share, the
worker ran every task it was sent, and the rollup it kept while the servers wrote equals a
rebuild from every event (``gongzhi stats rebuild``).
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import secrets
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from gongzhi.bench.crash import CrashReport, case_rows, check
from gongzhi.bench.server import (
    Server,
    free_port,
    pg_drop,
    pg_recreate,
    prepare_database,
    server_env,
    start_server,
)

REDIS_URL = os.environ.get("GONGZHI_BENCH_REDIS_URL", "redis://127.0.0.1:6379/0")
SWEEP_TASK = "gongzhi.cases.sweep"
ROLLUP_TASK = "gongzhi.stats.catch_up"


def rollup_check() -> dict[str, int | bool]:
    """In a child process on the scratch database: the rollup as the worker built it,
    compared row by row with a rebuild from every event."""
    import django

    django.setup()
    from gongzhi.stats.rollup import rebuild, snapshot

    built = snapshot()
    rebuild()
    again = snapshot()
    differ = sum(1 for key in built.keys() | again.keys() if built.get(key) != again.get(key))
    return {"rows": len(again), "differ": differ, "equal": built == again}


@dataclass
class ScaleoutReport:
    servers: int
    per_server: list[int]  # cases acknowledged by each server
    tasks_sent: int  # sweeps and rollup passes sent through Redis
    tasks_done: int
    seconds: float
    cases: CrashReport
    rollup: dict[str, int | bool] = field(default_factory=dict)
    worker_errors: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return (
            self.cases.ok
            and all(n > 0 for n in self.per_server)
            and self.tasks_done == self.tasks_sent
            and not self.worker_errors
            and bool(self.rollup.get("equal"))
        )

    def lines(self) -> list[str]:
        shares = ", ".join(f"#{i + 1}: {n}" for i, n in enumerate(self.per_server))
        rate = self.cases.acknowledged / self.seconds if self.seconds else 0.0
        return [
            f"web processes: {self.servers} (acknowledged per server: {shares}); "
            f"{self.cases.acknowledged} cases in {self.seconds:.1f} s = {rate:.0f} cases/s",
            f"celery worker: {self.tasks_done} of {self.tasks_sent} tasks sent through Redis "
            "(deadline sweeps and rollup passes) ran against the shared database"
            + (f"; errors: {self.worker_errors[:3]}" if self.worker_errors else ""),
            f"rollup kept by the worker while the servers wrote: {self.rollup.get('rows', 0)} "
            "rows, "
            + (
                "equal to a rebuild from every event"
                if self.rollup.get("equal")
                else f"{self.rollup.get('differ', '?')} rows DIFFER from a rebuild"
            ),
            *self.cases.lines(),
            "RESULT: " + ("OK" if self.ok else "FAILED"),
        ]


def _worker_log_count(path: Path, task_ids: list[str]) -> tuple[int, list[str]]:
    """How many of ``task_ids`` the worker's log shows as succeeded; the errors it logged."""
    text = path.read_text(errors="replace") if path.exists() else ""
    done = sum(1 for task_id in task_ids if f"[{task_id}] succeeded" in text)
    errors = re.findall(r"Task gongzhi\.[\w.]+\[[^\]]+\] raised [^\n]*", text)
    return done, errors


def start_worker(env: dict, queue: str, log: Path) -> subprocess.Popen[bytes]:
    out = log.open("wb")
    try:
        return subprocess.Popen(
            [
                sys.executable,
                "-m",
                "celery",
                "-A",
                "gongzhi.config.celery",
                "worker",
                "--pool",
                "solo",
                "--queues",
                queue,
                "--hostname",
                f"{queue}@%h",
                "--loglevel",
                "INFO",
                "--without-gossip",
                "--without-mingle",
                "--without-heartbeat",
            ],
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    finally:
        out.close()


def wait_for(predicate: Callable[[], bool], timeout: float, what: str) -> None:
    deadline = time.monotonic() + timeout
    while not predicate():
        if time.monotonic() > deadline:
            raise RuntimeError(f"timed out waiting for {what}")
        time.sleep(0.2)


def stop_group(process: subprocess.Popen[bytes] | None) -> None:
    if process is None or process.poll() is not None:
        return
    with contextlib.suppress(ProcessLookupError):
        os.killpg(process.pid, signal.SIGTERM)
    try:
        process.wait(timeout=15)
    except subprocess.TimeoutExpired:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGKILL)
        process.wait(timeout=5)


def scaleout_run(
    *,
    web: int = 2,
    workers: int = 1,
    connections: int = 4,
    duration: float = 15.0,
    sweeps: int = 3,
    keep: bool = False,
    log: Callable[[str], None] = print,
) -> ScaleoutReport:
    """One run; the scratch database, the temporary directory and every process started
    here are removed in the end, also on Ctrl-C."""
    from celery import Celery

    run = secrets.token_hex(4)
    name, queue = f"gongzhi_scale_{run}", f"gongzhi-scaleout-{run}"
    tmp = Path(tempfile.mkdtemp(prefix="gongzhi-scaleout-"))
    servers: list[Server] = []
    clients: list[subprocess.Popen[bytes]] = []
    worker: subprocess.Popen[bytes] | None = None
    created_db = False
    try:
        database_url = pg_recreate(name)
        created_db = True
        env = server_env(
            database_url=database_url,
            var_dir=tmp / "var",
            extra={"CELERY_BROKER_URL": REDIS_URL, "REDIS_URL": REDIS_URL},
        )
        # i18n: data (benchmark output naming the demo county)
        log(f"[scaleout] scratch database {name}: migrating and loading the 嘉祥 demo …")
        token = prepare_database(env)
        for i in range(web):
            port = free_port()
            servers.append(
                start_server(
                    env=env, workers=workers, threads=1, port=port, log=tmp / f"web-{i}.log"
                )
            )
            log(f"[scaleout] web process #{i + 1}: granian, {workers} worker(s) on :{port}")
        worker_log = tmp / "worker.log"
        worker = start_worker(env, queue, worker_log)
        wait_for(
            lambda: "ready." in worker_log.read_text(errors="replace"), 120, "the Celery worker"
        )
        log(f"[scaleout] celery worker ready on queue {queue} ({REDIS_URL})")

        key_prefix = f"scale-{run}"
        outs = [tmp / f"records-{i}.json" for i in range(web)]
        for i, server in enumerate(servers):
            spec = {
                "host": "127.0.0.1",
                "port": server.port,
                "token": token,
                "connections": connections,
                "duration": duration,
                "drain": 30.0,
                "key_prefix": f"{key_prefix}-{i}",
                "out": str(outs[i]),
            }
            client_log = (tmp / f"client-{i}.log").open("wb")
            clients.append(
                subprocess.Popen(
                    [sys.executable, "-m", "gongzhi.bench", "crash-client", json.dumps(spec)],
                    stdout=client_log,
                    stderr=subprocess.STDOUT,
                    start_new_session=True,
                )
            )
            client_log.close()
        t0 = time.monotonic()
        broker = Celery(broker=REDIS_URL)
        sent: list[str] = []
        for k in range(sweeps):
            time.sleep(max(0.0, t0 + duration * (k + 1) / (sweeps + 1) - time.monotonic()))
            sent.append(broker.send_task(SWEEP_TASK, queue=queue).id)
            sent.append(broker.send_task(ROLLUP_TASK, queue=queue).id)
            log(f"[scaleout] {time.monotonic() - t0:5.1f} s  sweep and rollup sent through Redis")
        for i, client in enumerate(clients):
            client.wait(timeout=duration + 30 + 60)
            if client.returncode != 0 or not outs[i].exists():
                raise RuntimeError(
                    f"load generator #{i + 1} failed:\n"
                    f"{(tmp / f'client-{i}.log').read_text()[-3000:]}"
                )
        seconds = time.monotonic() - t0
        # The last pass of the rollup, after every write: then it must equal a rebuild.
        sent.append(broker.send_task(ROLLUP_TASK, queue=queue).id)
        with contextlib.suppress(RuntimeError):
            wait_for(lambda: _worker_log_count(worker_log, sent)[0] >= len(sent), 120, "tasks")
        done, errors = _worker_log_count(worker_log, sent)
        stop_group(worker)
        worker = None
        checked = subprocess.run(
            [sys.executable, "-m", "gongzhi.bench", "rollup-check"],
            env=env,
            capture_output=True,
            text=True,
            timeout=600,
        )
        if checked.returncode != 0:
            raise RuntimeError(f"the rollup check failed:\n{checked.stderr[-3000:]}")
        rollup = json.loads(checked.stdout.strip().splitlines()[-1])
        records: dict[str, dict] = {}
        per_server = []
        for out in outs:
            mine = json.loads(out.read_text())
            per_server.append(sum(1 for r in mine.values() if r["status"] in (200, 201)))
            records.update(mine)
        report = check(records, case_rows(database_url), key_prefix)
        return ScaleoutReport(
            servers=web,
            per_server=per_server,
            tasks_sent=len(sent),
            tasks_done=done,
            seconds=seconds,
            cases=report,
            rollup=rollup,
            worker_errors=errors,
        )
    finally:
        previous = signal.signal(signal.SIGINT, signal.SIG_IGN)
        try:
            for client in clients:
                stop_group(client)
            for server in servers:
                server.stop()
            stop_group(worker)
            if not keep:
                shutil.rmtree(tmp, ignore_errors=True)
                if created_db:
                    with contextlib.suppress(Exception):
                        pg_drop(name)
            else:
                log(f"[scaleout] kept {tmp} and database {name}")
        finally:
            signal.signal(signal.SIGINT, previous)
