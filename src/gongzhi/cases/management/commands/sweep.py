"""``gongzhi sweep``: run the deadline sweep once (warnings, breaches and escalation,
summoned units that did not check in, unrated feedback). Idempotent."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from gongzhi.cases.services import case_sweep


class Command(BaseCommand):
    help = "执行一次时限巡检：预警、超时上报、报到超时、逾期未评价结案（可重复执行）"

    def handle(self, *args: Any, **options: Any) -> None:
        result = case_sweep()
        self.stdout.write(str(result))
