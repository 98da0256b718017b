"""``gongzhi bench intake|crash|scaleout|router|sweep|ledger`` (see gongzhi.bench and
docs/performance.md).

sweep, ledger: the deadline sweep over a million open cases, and the ledger page for the
office, a street, a unit and a property company, on a PostgreSQL scratch database filled
with COPY (gongzhi.bench.scale).

router: classify + route in one process (gongzhi.bench.router), messages per second per
core, on the configured database with the demo built.

intake: the intake benchmark of issue 3. Starts granian (WSGI, production settings) against
a fresh PostgreSQL database and/or a fresh SQLite file, registers and routes cases over
HTTP from a load generator on loopback and prints one line per database.

With ``--peer helpdesk`` (issue 12's target) the same run then measures django-helpdesk's
ticket creation (``POST /api/tickets/``) from its own venv with the same load generator and
parameters (gongzhi.bench.peer, bench/peer/), and prints both rows and the ratio. With
``--floor`` as well, a third row: a bare WSGI application storing the same body with one
durable INSERT (gongzhi.bench.floor), the ceiling of any Python intake on the machine.

crash: kills granian with SIGKILL in the middle of the same kind of load on a scratch
PostgreSQL database, restarts it, and checks that every acknowledged case is there and the
ledger numbers have no gap.

scaleout: several granian web processes and a Celery worker (through Redis) on one scratch
PostgreSQL database at once; every acknowledged case present, the ledger gapless, every
server used and every sweep sent through Redis run by the worker."""

from __future__ import annotations

import json
import os
import signal
from dataclasses import asdict
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from gongzhi.bench import crash, floor, load, peer, scaleout, wrk
from gongzhi.bench import intake as bench


def _terminate(signum: int, frame: Any) -> None:
    raise KeyboardInterrupt


class Command(BaseCommand):
    help = (
        "性能基准：intake = 经 HTTP 登记并自动派单（granian + PostgreSQL/SQLite）；"
        "crash = 负载中 kill -9 服务后检查已确认的案件是否都在、台账编号是否连续；"
        "scaleout = 多个 Web 进程与 Celery worker 同时工作于同一 PostgreSQL 与 Redis；"
        "router = 自由文本分类 + 路由的每核每秒消息数"
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "what",
            choices=[
                "intake",
                "crash",
                "scaleout",
                "router",
                "appraisal",
                "import",
                "sweep",
                "ledger",
                "export",
            ],
            help="which benchmark",
        )
        parser.add_argument("--connections", type=int, default=16)
        parser.add_argument(
            "--duration",
            type=float,
            default=None,
            help="seconds measured (intake, default 20); crash: seconds of new load (default 40)",
        )
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
            "--explain",
            action="store_true",
            help="router: also work out each answer's explanation, as the desk and the API do",
        )
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
        parser.add_argument(
            "--kill-at",
            default="6,24",
            help="crash: seconds into the load at which to kill -9 granian (comma-separated)",
        )
        parser.add_argument(
            "--pg-terminate-at",
            default="",
            help="crash: seconds at which to end the app's database sessions (pg_terminate_backend)",
        )
        parser.add_argument(
            "--drain",
            type=float,
            default=60.0,
            help="crash: seconds after the load to get an answer for requests still unanswered",
        )
        parser.add_argument("--web", type=int, default=2, help="scaleout: web processes")
        parser.add_argument(
            "--sweeps", type=int, default=3, help="scaleout: sweeps sent through Redis"
        )
        parser.add_argument(
            "--rows",
            type=int,
            default=None,
            help="import: rows generated (100,000); export: rows (50,000)",
        )
        parser.add_argument("--user", default="office", help="export: whose ledger")
        parser.add_argument(
            "--roles",
            default="",
            help="ledger: only these readers, comma-separated (office,street,unit,company)",
        )
        parser.add_argument(
            "--views", default="", help="ledger: only the views whose label contains this text"
        )
        parser.add_argument("--format", choices=["csv", "xlsx"], default="csv", help="import")
        parser.add_argument("--jurisdiction", default="370829000000", help="import: ledger")
        parser.add_argument(
            "--open-cases", type=int, default=1_000_000, help="sweep, ledger: open cases written"
        )
        parser.add_argument(
            "--closed-cases", type=int, default=0, help="ledger: closed cases written"
        )
        parser.add_argument(
            "--breaches", type=int, default=2000, help="sweep: cases pushed past their limit"
        )
        parser.add_argument(
            "--runs",
            type=int,
            default=None,
            help="sweep, ledger: timed runs (20); intake --in-process: child processes in turn (1)",
        )
        parser.add_argument(
            "--database",
            default="gongzhi_scale",
            help="sweep, ledger: the scratch PostgreSQL database (kept and reused: rows are "
            "only added up to the counts asked for)",
        )
        parser.add_argument(
            "--peer",
            choices=["helpdesk"],
            default=None,
            help=(
                "intake: then measure django-helpdesk's POST /api/tickets/ the same way "
                "(PostgreSQL only; its venv is made from bench/peer/requirements.txt if missing)"
            ),
        )
        parser.add_argument(
            "--floor",
            action="store_true",
            help=(
                "intake with --peer: then a third row, a bare WSGI app (no framework) storing "
                "the same body with one durable INSERT: the ceiling of a Python intake here"
            ),
        )
        parser.add_argument(
            "--pg-database",
            default="gongzhi_bench",
            help="intake: Gongzhi's scratch PostgreSQL database (dropped and created each run)",
        )
        parser.add_argument(
            "--broker",
            choices=["eager", "redis"],
            default="eager",
            help=(
                "intake: eager = no broker, Celery tasks (the outbox's delivery) run in the "
                "request; redis = a broker and cache at GONGZHI_BENCH_REDIS_URL "
                "(redis://127.0.0.1:6379/0) on a queue of this run, with a Celery worker "
                "started by the bench (HTTP), as a deployment runs"
            ),
        )
        parser.add_argument(
            "--in-process",
            action="store_true",
            help=(
                "intake: CPU and SQL statements per registration in one process (Django's "
                "test client, production settings), no HTTP"
            ),
        )
        parser.add_argument(
            "--registrations", type=int, default=300, help="intake --in-process: timed ones"
        )
        parser.add_argument(
            "--quiet-hours",
            default="",
            help=(
                "intake --in-process: GONGZHI_NOTIFY_QUIET_HOURS for the run (default: none, "
                "so the figures do not depend on the time of day)"
            ),
        )
        parser.add_argument(
            "--profile",
            default="",
            help=(
                "intake --in-process: write a cProfile of the timed registrations (last run) "
                "to this file (read with python -m pstats)"
            ),
        )
        parser.add_argument("--json", action="store_true", help="also print rows as JSON")
        parser.add_argument("--keep", action="store_true", help="keep the temp dir and database")

    def _import(self, o: dict[str, Any]) -> None:
        """A ledger import of N rows (gongzhi.stats.imports.bench)."""
        from gongzhi.stats.imports import bench as import_bench

        import_bench.run(
            rows=o["rows"] or 100_000,
            fmt=o["format"],
            code=o["jurisdiction"],
            out=self.stdout.write,
            err=lambda m: self.stderr.write(m, ending=""),
        )

    def _scale(self, o: dict[str, Any]) -> None:
        """The sweep or the ledger over a scratch database at scale (gongzhi.bench.sweep,
        gongzhi.bench.ledger)."""
        log = lambda msg: self.stderr.write(msg)  # noqa: E731
        if o["what"] == "sweep":
            from gongzhi.bench import sweep

            figures = sweep.run(
                database=o["database"],
                open_cases=o["open_cases"],
                breaches=o["breaches"],
                idle_passes=max(1, min(o["runs"] or 20, 10)),
                log=log,
            )
        else:
            from gongzhi.bench import ledger

            figures = ledger.run(  # type: ignore[assignment]
                database=o["database"],
                open_cases=o["open_cases"],
                closed_cases=o["closed_cases"],
                runs=o["runs"] or 20,
                log=log,
                roles=[r for r in o["roles"].split(",") if r],
                views=o["views"],
            )
        for line in figures.lines():
            self.stdout.write(line)
        if not figures.ok:
            raise CommandError("TARGET CHECK FAILED")

    def handle(self, *args: Any, **o: Any) -> None:
        if o["what"] in ("sweep", "ledger"):
            self._scale(o)
            return
        if o["what"] == "import":
            self._import(o)
            return
        if o["what"] == "export":  # a ledger export job (gongzhi.bench.export)
            from gongzhi.bench import export

            export.run(rows=o["rows"] or 50_000, username=o["user"], out=self.stdout.write)
            return
        if o["what"] == "appraisal":  # recomputing every credit score (gongzhi.bench.appraisal)
            from gongzhi.bench import appraisal

            appraisal.run(self.stdout.write)
            return
        if o["connections"] < 1 or o["workers"] < 1 or o["threads"] < 1:
            raise CommandError("--connections, --workers and --threads must be at least 1")
        if o["what"] == "router":
            from gongzhi.bench import router

            figures = router.run(
                duration=o["duration"] or 5.0,
                explain=o["explain"],
                log=lambda msg: self.stderr.write(msg),
            )
            for line in figures.lines():
                self.stdout.write(line)
            return
        if o["what"] == "crash":
            self._crash({**o, "duration": o["duration"] or 40.0})
            return
        if o["what"] == "scaleout":
            self._scaleout({**o, "duration": o["duration"] or 15.0})
            return
        if o["in_process"]:
            self._in_process(o)
            return
        o["duration"] = o["duration"] or 20.0
        duration = o["duration"] if not o["requests"] else 0.0
        if o["generator"] == "wrk" and not wrk.wrk_available():
            raise CommandError("wrk is not installed (apt-get install wrk)")
        if o["generator"] == "wrk" and o["requests"]:
            raise CommandError("wrk runs for a duration: use --duration, not --requests")
        if o["floor"] and not o["peer"]:
            raise CommandError("--floor is a third row beside --peer helpdesk")
        if o["peer"]:
            self._side_by_side({**o, "duration": duration})
            return
        use_wrk = o["generator"] == "wrk"
        generator = "wrk (Lua script, 1 thread)" if use_wrk else "Python asyncio client"
        signal.signal(signal.SIGTERM, _terminate)
        self.stdout.write(
            f"intake benchmark: POST /api/cases/ as 'dispatcher' (12345 hotline), "
            f"{len(load.ESTATES)} estates × {len(load.MATTERS)} matter codes, "
            f"unique Idempotency-Key per request; load generator: {generator}; "
            + _broker_text(o["broker"])
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
                    pg_database=o["pg_database"],
                    broker=o["broker"],
                )
                rows.append(row)
        except KeyboardInterrupt as exc:
            raise CommandError("interrupted; server stopped") from exc
        self.stdout.write(bench.HEADER)
        for row in rows:
            self.stdout.write(row.line())
        self._details(rows)
        if o["json"]:
            self.stdout.write(json.dumps([row.as_dict() for row in rows], ensure_ascii=False))
        if any(row.check != "count ok" for row in rows):
            raise CommandError("COUNT MISMATCH")

    def _in_process(self, o: dict[str, Any]) -> None:
        """CPU and statements per registration in one process (gongzhi.bench.inprocess)."""
        from gongzhi.bench import inprocess

        if o["registrations"] < 1:
            raise CommandError("--registrations must be at least 1")
        signal.signal(signal.SIGTERM, _terminate)
        warmup = max(0, int(o["warmup"] if o["warmup"] != 3.0 else 20))
        self.stdout.write(
            f"intake in process: POST /api/cases/ as 'dispatcher' through Django's test client "
            f"(production settings, every middleware), {warmup} warm-up + "
            f"{o['registrations']} registrations per run; broker: "
            + (
                "none, Celery tasks run in the request (eager)"
                if o["broker"] == "eager"
                else f"Redis {inprocess.REDIS_URL}, tasks queued, no worker"
            )
            + f"; quiet hours: {o['quiet_hours'] or 'none'}; load average before: "
            + " ".join(f"{x:.2f}" for x in os.getloadavg())
        )
        try:
            for db in bench.dbs(o["db"]):
                results = inprocess.bench_inprocess(
                    db,
                    registrations=o["registrations"],
                    warmup=warmup,
                    broker=o["broker"],
                    runs=o["runs"] or 1,
                    quiet_hours=o["quiet_hours"],
                    pg_database=o["pg_database"],
                    keep=o["keep"],
                    profile=o["profile"],
                    log=lambda msg: self.stderr.write(msg),
                )
                for result in results:
                    self.stdout.write(result.line())
                self.stdout.write("  statements per registration, by kind (last run):")
                for line in results[-1].kinds_lines():
                    self.stdout.write(line)
                if o["json"]:
                    self.stdout.write(json.dumps([asdict(r) for r in results], ensure_ascii=False))
                if any(r.errors for r in results):
                    raise CommandError("some registrations were not answered 201")
        except KeyboardInterrupt as exc:
            raise CommandError("interrupted") from exc
        except RuntimeError as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write("load average after: " + " ".join(f"{x:.2f}" for x in os.getloadavg()))

    def _details(self, rows: list[bench.Row]) -> None:
        """Per row: the window, the statuses, and the CPU of the server, the load generator
        and the whole machine over it."""
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
                + (
                    f"; celery worker {row.worker_cpu_s / t:.2f} cores "
                    f"({1000 * row.worker_cpu_s / n if n else 0.0:.1f} ms per case)"
                    if row.broker == "redis"
                    else ""
                )
                + (f"; first error: {r.first_error}" if r.first_error else "")
            )

    def _side_by_side(self, o: dict[str, Any]) -> None:
        """Gongzhi's intake, then django-helpdesk's, in one run with the same load
        generator and parameters (gongzhi.bench.peer); both rows and the ratio."""
        if o["db"] == "sqlite":
            raise CommandError("--peer runs on PostgreSQL only (--db pg)")
        if o["generator"] != "python":
            raise CommandError("--peer uses the Python client for both rows")
        log = lambda msg: self.stderr.write(msg)  # noqa: E731
        signal.signal(signal.SIGTERM, _terminate)
        self.stdout.write(
            f"intake side by side on PostgreSQL: Gongzhi POST /api/cases/ (as 'dispatcher'), "
            f"then {peer.PEER_NAME} 2.6.1 POST /api/tickets/ (staff user, DRF token); the same "
            f"Python asyncio client, {o['connections']} connections, "
            f"{o['duration'] or 'no'} s after {o['warmup']:g} s warm-up, granian "
            f"{o['workers']} workers × {o['threads']} threads each; Gongzhi's "
            + _broker_text(o["broker"])
        )
        try:
            venv = peer.ensure_venv(log)  # before either row: a download never overlaps one
            common = {
                "connections": o["connections"],
                "duration": o["duration"],
                "max_requests": o["requests"],
                "warmup": o["warmup"],
                "workers": o["workers"],
                "threads": o["threads"],
                "keep": o["keep"],
                "log": log,
            }
            ours = bench.bench_one(
                "pg",
                use_wrk=False,
                synchronous_commit=o["pg_synchronous_commit"] == "on",
                pg_database=o["pg_database"],
                broker=o["broker"],
                **common,
            )
            theirs = peer.bench_helpdesk(venv=venv, **common)
            bare = floor.bench_floor(**common) if o["floor"] else None
        except KeyboardInterrupt as exc:
            raise CommandError("interrupted; servers stopped") from exc
        except RuntimeError as exc:
            raise CommandError(str(exc)) from exc
        ours.database = "gongzhi"
        self.stdout.write(peer.SIDE_HEADER)
        self.stdout.write(peer.side_line(ours, unit="cases/s", noun="cases"))
        self.stdout.write(peer.side_line(theirs, unit="tickets/s", noun="tickets"))
        rows = [ours, theirs]
        if bare is not None:
            self.stdout.write(peer.side_line(bare, unit="rows/s", noun="rows"))
            rows.append(bare)
        self._details(rows)
        self.stdout.write(peer.ratio_line(ours.result.rate, theirs.result.rate))
        if bare is not None:
            self.stdout.write(
                floor.floor_line(bare.result.rate, theirs.result.rate, peer.TARGET_RATIO)
            )
        if o["json"]:
            self.stdout.write(json.dumps([row.as_dict() for row in rows], ensure_ascii=False))
        if any(row.check != "count ok" for row in rows):
            raise CommandError("COUNT MISMATCH")

    def _crash(self, o: dict[str, Any]) -> None:
        try:
            kill_at = _seconds(o["kill_at"])
            pg_at = _seconds(o["pg_terminate_at"])
        except ValueError as exc:
            raise CommandError("--kill-at and --pg-terminate-at take seconds, e.g. 5,12") from exc
        if o["db"] not in ("pg", "both"):
            raise CommandError("the crash check runs on PostgreSQL only")
        signal.signal(signal.SIGTERM, _terminate)
        self.stdout.write(
            f"crash check: POST /api/cases/ as 'dispatcher' over {o['connections']} connections "
            f"for {o['duration']:g} s, kill -9 of granian at {kill_at or 'never'} s"
            + (f", pg_terminate_backend at {pg_at} s" if pg_at else "")
            + "; unanswered requests are sent again with the same Idempotency-Key"
        )
        try:
            report = crash.crash_run(
                connections=o["connections"],
                duration=o["duration"],
                kill_at=kill_at,
                pg_terminate_at=pg_at,
                workers=o["workers"],
                threads=o["threads"],
                drain=o["drain"],
                keep=o["keep"],
                log=lambda msg: self.stderr.write(msg),
            )
        except KeyboardInterrupt as exc:
            raise CommandError("interrupted; server stopped, scratch database dropped") from exc
        for line in report.lines():
            self.stdout.write(line)
        if o["json"]:
            self.stdout.write(json.dumps(asdict(report), ensure_ascii=False))
        if not report.ok:
            raise CommandError("CRASH CHECK FAILED")

    def _scaleout(self, o: dict[str, Any]) -> None:
        if o["web"] < 2:
            raise CommandError("--web must be at least 2")
        signal.signal(signal.SIGTERM, _terminate)
        try:
            report = scaleout.scaleout_run(
                web=o["web"],
                workers=max(1, o["workers"] // o["web"]),
                connections=o["connections"],
                duration=o["duration"],
                sweeps=o["sweeps"],
                keep=o["keep"],
                log=lambda msg: self.stderr.write(msg),
            )
        except KeyboardInterrupt as exc:
            raise CommandError("interrupted; processes stopped, scratch database dropped") from exc
        for line in report.lines():
            self.stdout.write(line)
        if not report.ok:
            raise CommandError("SCALE-OUT CHECK FAILED")


def _broker_text(broker: str) -> str:
    if broker == "redis":
        return (
            f"broker: Redis ({bench.REDIS_URL}, also the cache), a Celery worker started by "
            "the bench delivers the outbox"
        )
    return "broker: none, the outbox is delivered in the request after the commit (eager)"


def _seconds(text: str) -> list[float]:
    return [float(part) for part in text.split(",") if part.strip()]
