"""``gongzhi synth N``: N synthetic cases over two years on the loaded demo, with bulk
inserts and a progress bar; then the rollup catches up."""

from __future__ import annotations

import time
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext as _

from gongzhi.stats import rollup
from gongzhi.stats.synth import synth


def bar(done: int, total: int, width: int = 30) -> str:
    filled = min(width, width * done // total) if total else width
    return "[" + "#" * filled + "-" * (width - filled) + f"] {done}/{total}"


class Command(BaseCommand):
    help = "生成 N 件两年内的模拟案件（批量写入，含事件），并更新统计表"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("n", type=int)
        parser.add_argument("--seed", type=int, default=12)

    def handle(self, *args: Any, **options: Any) -> None:
        n = options["n"]
        if not 1 <= n <= 20_000_000:
            raise CommandError(_("N 应在 1 到 20,000,000 之间"))
        started = time.monotonic()
        try:
            events = synth(
                n,
                seed=options["seed"],
                progress=lambda d, t: self.stderr.write(
                    "\r" + _("案件 %(bar)s") % {"bar": bar(d, t)}, ending=""
                ),
            )
        except ValueError as exc:
            raise CommandError(str(exc)) from exc
        self.stderr.write("")
        written = time.monotonic() - started
        self.stdout.write(
            _("写入案件 %(n)s 件、事件 %(events)s 条，用时 %(seconds)s 秒")
            % {"n": n, "events": events, "seconds": f"{written:.1f}"}
        )
        started = time.monotonic()
        result = rollup.catch_up(
            progress=lambda d, _last: self.stderr.write(
                "\r" + _("统计 %(bar)s") % {"bar": bar(d, events)}, ending=""
            )
        )
        self.stderr.write("")
        self.stdout.write(
            _("统计表处理事件 %(events)s 条，用时 %(seconds)s 秒")
            % {"events": result.events, "seconds": f"{time.monotonic() - started:.1f}"}
        )
