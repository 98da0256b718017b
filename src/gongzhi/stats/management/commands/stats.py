"""``gongzhi stats bench``: time each dashboard chart's query (p50, p95); with
``--memory``, serve the dashboards under granian and print its workers' memory.
``gongzhi stats catchup``: read the case events written since the last pass into the
rollup. ``gongzhi stats rebuild``: drop the rollup and count every event again, a month at a time
(stats/rollup.py ``rebuild``; the tests check it equals what the passes keep)."""

from __future__ import annotations

import time
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext as _

from gongzhi.stats import rollup


class Command(BaseCommand):
    help = "统计汇总：catchup 处理新增案件事件；rebuild 从全部事件重建统计表"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("what", choices=["catchup", "rebuild", "bench"])
        parser.add_argument("--batch", type=int, default=rollup.BATCH)
        parser.add_argument("--user", default="office", help=_("bench：以哪个账号统计"))
        parser.add_argument("--preset", default="year", help=_("bench：统计区间（默认本年）"))
        parser.add_argument("--runs", type=int, default=20, help=_("bench：每个图表执行次数"))
        parser.add_argument(
            "--memory",
            action="store_true",
            help=_("bench：用 granian 提供各账号的统计页面，报告工作进程内存"),
        )
        parser.add_argument("--workers", type=int, default=1, help=_("bench --memory：工作进程数"))
        parser.add_argument("--rounds", type=int, default=5, help=_("bench --memory：访问轮数"))

    def handle(self, *args: Any, **options: Any) -> None:
        if options["what"] == "bench" and options["memory"]:
            from gongzhi.stats import bench_memory

            ok = bench_memory.run(
                workers=max(1, options["workers"]),
                rounds=max(1, options["rounds"]),
                out=self.stdout.write,
            )
            if not ok:
                raise CommandError(_("工作进程内存超过目标"))
            return
        if options["what"] == "bench":
            from gongzhi.stats import bench

            bench.run(
                username=options["user"],
                preset=options["preset"],
                runs=max(1, options["runs"]),
                out=self.stdout.write,
            )
            return
        started = time.monotonic()

        def bar(done: int, total: int, unit: str) -> None:
            width = 30
            filled = min(width, width * done // max(total, 1))
            line = "#" * filled + "-" * (width - filled)
            self.stderr.write(f"\r[{line}] {done}/{total} {unit}", ending="")

        if options["what"] == "rebuild":
            result = rollup.rebuild(progress=lambda done, total: bar(done, total, _("个月")))
        else:
            result = rollup.catch_up(
                batch_size=options["batch"],
                progress=lambda done, _last: self.stderr.write(
                    "\r" + _("%(done)s 条事件") % {"done": done}, ending=""
                ),
            )
        self.stderr.write("")
        seconds = time.monotonic() - started
        self.stdout.write(
            _("处理事件 %(events)s 条，游标 %(last_id)s，待补编号 %(gaps)s 个，用时 %(seconds)s 秒")
            % {
                "events": result.events,
                "last_id": result.last_id,
                "gaps": result.gaps,
                "seconds": f"{seconds:.1f}",
            }
        )
