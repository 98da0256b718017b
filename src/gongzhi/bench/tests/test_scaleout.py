"""Issue 12 item 5, "done when … tests cover the multi-process run": two granian web
processes and a Celery worker on one PostgreSQL and one Redis, under load at once, then
every acknowledged case present under its number, gapless ledger numbers, every server
used, every task the worker was sent run, and the rollup equal to a rebuild.

It needs a PostgreSQL server and Redis, as a deployment does: it runs in the PostgreSQL
pass of the suite (``DATABASE_URL`` naming PostgreSQL, as in ``.ci/run``) and is skipped on
SQLite. The run makes its own scratch database and drops it."""

from __future__ import annotations

import os
import socket

import pytest

from gongzhi.bench import scaleout


def _reachable(host: str, port: int) -> bool:
    try:
        with socket.create_connection((host, port), timeout=1):
            return True
    except OSError:
        return False


pytestmark = pytest.mark.skipif(
    not os.environ.get("DATABASE_URL", "").startswith("postgres")
    or not _reachable("127.0.0.1", 6379),
    reason="the scale-out run needs PostgreSQL (DATABASE_URL) and Redis on 127.0.0.1:6379",
)


def test_two_web_processes_and_a_worker_lose_nothing() -> None:
    lines: list[str] = []
    report = scaleout.scaleout_run(
        web=2, workers=1, connections=2, duration=4.0, sweeps=1, log=lines.append
    )
    assert report.ok, "\n".join(lines + report.lines())
    assert len(report.per_server) == 2 and all(n > 0 for n in report.per_server)
    assert report.cases.acknowledged > 0
    assert report.tasks_sent == 3 and report.tasks_done == 3  # sweep, rollup, final rollup
    assert report.rollup["equal"] is True
