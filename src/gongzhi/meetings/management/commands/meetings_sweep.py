"""``gongzhi meetings_sweep [--now ISO]``: remind responsible units before decisions
fall due, flag overdue ones, and flag meetings not held on their day (未按期召开).
Idempotent; run it from cron or a periodic task."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext as _

from gongzhi.meetings.services import meetings_sweep


class Command(BaseCommand):
    help = "联席会议督办：议定事项到期前提醒、逾期标记，会议未按期召开标记（可重复运行）"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--now", help=_("以该时刻为准（ISO 8601，默认当前时间）"))

    def handle(self, *args: Any, **options: Any) -> None:
        now = None
        if options.get("now"):
            try:
                now = dt.datetime.fromisoformat(options["now"])
            except ValueError as exc:
                raise CommandError(
                    _("--now 格式应为 ISO 8601，如 2026-11-02T09:00:00+08:00")
                ) from exc
            if now.tzinfo is None:
                raise CommandError(_("--now 须带时区，如 +08:00"))
        result = meetings_sweep(now=now)
        self.stdout.write(
            _("提醒 %(len)s 项，标记逾期 %(len2)s 项，未按期召开 %(len3)s 次")
            % {"len": len(result.reminded), "len2": len(result.overdue), "len3": len(result.missed)}
        )
