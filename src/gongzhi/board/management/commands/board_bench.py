"""``gongzhi board_bench``: how fast the estate's public board answers with 1,000 cases in
the estate (issue 9: p95 under 100 ms). A benchmark that prints figures, not a test.

In a throwaway test database (SQLite by default; PostgreSQL with DATABASE_URL) it builds
the demo, copies one of 曾子花园's cases until the estate holds ``--cases`` of them (bulk
insert), then requests the board page, its JSON and the QR poster in-process through
Django's test client (the whole middleware stack, no HTTP server) and prints the latency
percentiles of each. See docs/performance.md."""

from __future__ import annotations

import statistics
import sys
import time
from typing import Any

from django.core.management.base import BaseCommand, CommandParser
from django.db import connection
from django.test import Client


def _percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    k = max(0, min(len(ordered) - 1, round(p / 100 * len(ordered)) - 1))
    return ordered[k]


class Command(BaseCommand):
    help = "性能基准：小区公示栏（页面、JSON、海报）在小区有 N 件诉求时的响应时间（p50/p95）"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--cases", type=int, default=1000)
        parser.add_argument("--requests", type=int, default=200)
        parser.add_argument("--estate", default="JX-E001")
        parser.add_argument(
            "--profile", action="store_true", help="print where one board page's time goes"
        )

    def handle(self, *args: Any, **opts: Any) -> None:
        from django.conf import settings

        # As served in production: no query log, no debug pages.
        settings.DEBUG = False
        # A throwaway database; no test environment (it instruments every template render,
        # which would be measured too).
        old_name = connection.settings_dict["NAME"]
        connection.creation.create_test_db(verbosity=0, autoclobber=True, keepdb=False)
        try:
            self._run(opts)
        finally:
            connection.creation.destroy_test_db(old_name, verbosity=0)

    def _run(self, opts: dict[str, Any]) -> None:
        from gongzhi.cases.models import Case
        from gongzhi.demo import build_demo
        from gongzhi.org.models import Estate

        build_demo()
        estate = Estate.objects.get(code=opts["estate"])
        template = Case.objects.filter(estate=estate).order_by("pk").first()
        have = Case.objects.filter(estate=estate).count()
        if template is not None and have < opts["cases"]:
            copies = []
            for i in range(opts["cases"] - have):
                template.pk = None
                template.number = f"BENCH-{i:06d}"
                template.idempotency_key = None
                template.title = f"基准诉求 {i}"  # i18n: data (a benchmark case title, stored)
                copies.append(
                    Case(
                        **{
                            f.attname: getattr(template, f.attname)
                            for f in Case._meta.concrete_fields
                        }
                    )
                )
            Case.objects.bulk_create(copies, batch_size=500)
        total = Case.objects.filter(estate=estate).count()
        client = Client()
        code = estate.code
        self.stdout.write(
            f"database={connection.vendor} estate={code} cases_in_estate={total} "
            f"requests={opts['requests']}"
        )
        if opts["profile"]:
            import cProfile
            import pstats

            from django.db.backends.utils import CursorDebugWrapper  # noqa: F401
            from django.test.utils import CaptureQueriesContext

            client.get(f"/estates/{code}/")
            with CaptureQueriesContext(connection) as queries:
                profiler = cProfile.Profile()
                profiler.enable()
                client.get(f"/estates/{code}/")
                profiler.disable()
            self.stdout.write(f"board page: {len(queries)} queries")
            stats = pstats.Stats(profiler, stream=sys.stdout)
            stats.sort_stats("tottime").print_stats(20)
            stats.sort_stats("cumulative").print_stats("src/gongzhi/", 30)
        for label, url in (
            ("board page", f"/estates/{code}/"),
            ("board JSON", f"/api/board/estates/{code}"),
            ("poster A4", f"/estates/{code}/poster.pdf"),
        ):
            n = opts["requests"] if "poster" not in label else max(10, opts["requests"] // 10)
            for _ in range(3):  # warm-up
                assert client.get(url).status_code == 200
            times, cpu = [], []
            for _ in range(n):
                start, start_cpu = time.perf_counter(), time.process_time()
                response = client.get(url)
                times.append((time.perf_counter() - start) * 1000)
                cpu.append((time.process_time() - start_cpu) * 1000)
                assert response.status_code == 200
            # Wall time depends on the machine's load; the process's CPU time per request
            # is what one idle core would take (the database is in-process for SQLite,
            # another process for PostgreSQL — its work is not counted there).
            self.stdout.write(
                f"{label:11s} n={n:4d} p50={statistics.median(times):6.1f} ms "
                f"p95={_percentile(times, 95):6.1f} ms max={max(times):6.1f} ms "
                f"cpu_p50={statistics.median(cpu):6.1f} ms cpu_p95={_percentile(cpu, 95):6.1f} ms"
            )
