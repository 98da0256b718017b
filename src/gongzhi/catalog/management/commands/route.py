"""``gongzhi route --estate CODE --matter CODE``: who leads, who assists, and why."""

from __future__ import annotations

import json
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from gongzhi.catalog.routing import route
from gongzhi.common.errors import DomainError
from gongzhi.org.models import Estate


class Command(BaseCommand):
    help = "查询某小区某事项的牵头单位、协办单位、层级与依据"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--estate", required=True, help="小区编码")
        parser.add_argument("--matter", required=True, help="事项编码")
        parser.add_argument("--json", action="store_true", help="以 JSON 输出")

    def handle(self, *args: Any, **options: Any) -> None:
        estate = (
            Estate.objects.select_related("community", "property_company", "owners_committee")
            .filter(code=options["estate"])
            .first()
        )
        if estate is None:
            raise CommandError(f"没有编码为 {options['estate']} 的小区")
        try:
            result = route(estate=estate, matter_code=options["matter"])
        except DomainError as exc:
            raise CommandError(exc.message) from exc
        if options["json"]:
            self.stdout.write(json.dumps(result.as_dict(), ensure_ascii=False, indent=2))
            return
        m = result.matter
        w = self.stdout.write
        w(f"小区：{estate.name}（{estate.code}）")
        w(f"事项：{m.code} {m.name}")
        if result.lead:
            level = result.level.get_level_display() if result.level else ""
            w(
                f"牵头单位：{result.lead.name}（{result.lead.jurisdiction.name}，{level}级）"
                f" 电话 {result.lead.phone or '—'}"
            )
        else:
            w("牵头单位：未找到，由联席会议办公室分派")
        w("协办单位：" + ("、".join(u.name for u in result.assists) or "—"))
        w(f"办结时限：{m.time_limit_label}")
        w(f"法律依据：{m.legal_basis or '—'}")
        w(f"出处：{m.source}")
        w("继承路径：" + " → ".join(j.name for j in result.defined_in))
        w("理由：")
        for reason in result.reasons:
            w(f"  - {reason}")
