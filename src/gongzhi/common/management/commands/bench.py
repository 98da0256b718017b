"""``gongzhi bench intake``: the intake benchmark of issue 3 (see gongzhi.cases.bench and
docs/performance.md). Starts granian (WSGI, production settings) against a fresh
PostgreSQL database and/or a fresh SQLite file, registers and routes cases over HTTP from a
load generator on loopback and prints one line per database."""

from __future__ import annotations

import json
import os
import signal
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from gongzhi.cases import bench


def _terminate(signum: int, frame: Any) -> None:
    raise KeyboardInterrupt


class Command(BaseCommand):
    help = "性能基准：intake = 经 HTTP 登记并自动派单（granian + PostgreSQL/SQLite）"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("what", choices=["intake"], help="which benchmark")
        parser.add_argument("--connections", type=int, default=16)
        parser.add_argument("--duration", type=float, default=20.0, help="seconds measured")
        parser.add_argument(
            "--requests", type=int, default=0, help="stop after N requests (Python client)"
        )
        parser.add_argument("--db", choices=["pg", "sqlite", "both"], default="both")
        parser.add_argument("--workers", type=int, default=os.cpu_count() or 2)
        parser.add_argument(
            "--threads", type=int, default=1, help="granian blocking threads per worker"
        )
        parser.add_argument("--warmup", type=float, default=3.0, help="seconds not counted")
        parser.add_argument(
            "--generator",
            choices=["python", "wrk"],
            default="python",
            help=(
                "python = the asyncio client (exact count check, about 1%% of a core); "
                "wrk = wrk with a Lua script, if installed (duration only)"
            ),
        )
        parser.add_argument(
            "--pg-synchronous-commit",
            choices=["on", "off"],
            default="on",
            help="off = ALTER DATABASE gongzhi_bench SET synchronous_commit = off (bench only)",
        )
        parser.add_argument("--json", action="store_true", help="also print rows as JSON")
        parser.add_argument("--keep", action="store_true", help="keep the temp dir and database")

    def handle(self, *args: Any, **o: Any) -> None:
        if o["connections"] < 1 or o["workers"] < 1 or o["threads"] < 1:
            raise CommandError("--connections, --workers and --threads must be at least 1")
        duration = o["duration"] if not o["requests"] else 0.0
        if o["generator"] == "wrk" and not bench.wrk_available():
            raise CommandError("wrk is not installed (apt-get install wrk)")
        if o["generator"] == "wrk" and o["requests"]:
            raise CommandError("wrk runs for a duration: use --duration, not --requests")
        use_wrk = o["generator"] == "wrk"
        generator = "wrk (Lua script, 1 thread)" if use_wrk else "Python asyncio client"
        signal.signal(signal.SIGTERM, _terminate)
        self.stdout.write(
            f"intake benchmark: POST /api/cases/ as 'dispatcher' (12345 hotline), "
            f"{len(bench.ESTATES)} estates × {len(bench.MATTERS)} matter codes, "
            f"unique Idempotency-Key per request; load generator: {generator}"
        )
        rows = []
        try:
            for db in bench.dbs(o["db"]):
                row = bench.bench_one(
                    db,
                    connections=o["connections"],
                    duration=duration,
                    max_requests=o["requests"],
                    warmup=o["warmup"],
                    workers=o["workers"],
                    threads=o["threads"],
                    use_wrk=use_wrk,
                    synchronous_commit=o["pg_synchronous_commit"] == "on",
                    keep=o["keep"],
                    log=lambda msg: self.stderr.write(msg),
                )
                rows.append(row)
        except KeyboardInterrupt as exc:
            raise CommandError("interrupted; server stopped") from exc
        self.stdout.write(bench.HEADER)
        for row in rows:
            self.stdout.write(row.line())
        cores = os.cpu_count() or 1
        for row in rows:
            r = row.result
            t = row.window_s or 1.0
            n = row.cases_in_window
            per_case = 1000 * row.server_cpu_s / n if n else 0.0
            self.stdout.write(
                f"{row.database}: {r.elapsed:.1f} s measured, max {r.max_ms:.1f} ms, "
                f"statuses {r.statuses}; server ({row.workers} workers × {row.threads} "
                f"threads) used {row.server_cpu_s / t:.2f} cores ({per_case:.1f} ms CPU per "
                f"case) and waited {row.server_runqueue_s / t:.2f} cores' worth for a CPU; "
                f"load generator ({r.generator}) {r.client_cpu_pct / 100:.2f} cores; "
                f"whole machine busy {row.machine_busy_s / t:.2f} of {cores} cores"
                + (f"; first error: {r.first_error}" if r.first_error else "")
            )
        if o["json"]:
            self.stdout.write(json.dumps([row.as_dict() for row in rows], ensure_ascii=False))
        if any(row.check != "count ok" for row in rows):
            raise CommandError("COUNT MISMATCH")
