"""``gongzhi route --estate CODE --matter CODE``: who leads, who assists, and why."""

from __future__ import annotations

import json
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext as _

from gongzhi.catalog.routing import route
from gongzhi.common.errors import DomainError
from gongzhi.org.models import Estate


class Command(BaseCommand):
    help = "查询某小区某事项的牵头单位、协办单位、层级与依据"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--estate", required=True, help=_("小区编码"))
        parser.add_argument("--matter", required=True, help=_("事项编码"))
        parser.add_argument("--json", action="store_true", help=_("以 JSON 输出"))

    def handle(self, *args: Any, **options: Any) -> None:
        estate = (
            Estate.objects.select_related("community", "property_company", "owners_committee")
            .filter(code=options["estate"])
            .first()
        )
        if estate is None:
            raise CommandError(_("没有编码为 %(estate)s 的小区") % {"estate": options["estate"]})
        try:
            result = route(estate=estate, matter_code=options["matter"])
        except DomainError as exc:
            raise CommandError(exc.message) from exc
        if options["json"]:
            self.stdout.write(json.dumps(result.as_dict(), ensure_ascii=False, indent=2))
            return
        m = result.matter
        w = self.stdout.write
        w(_("小区：%(name)s（%(code)s）") % {"name": estate.name, "code": estate.code})
        w(_("事项：%(code)s %(name)s") % {"code": m.code, "name": m.name})
        if result.lead:
            level = result.level.get_level_display() if result.level else ""
            w(
                _("牵头单位：%(name)s（%(name2)s，%(level)s级） 电话 %(value)s")
                % {
                    "name": result.lead.name,
                    "name2": result.lead.jurisdiction.name,
                    "level": level,
                    "value": result.lead.phone or "—",
                }
            )
        else:
            w(_("牵头单位：未找到，由联席会议办公室分派"))
        w(_("协办单位：") + ("、".join(u.name for u in result.assists) or "—"))
        w(_("办结时限：%(time_limit_label)s") % {"time_limit_label": m.time_limit_label})
        w(_("法律依据：%(value)s") % {"value": m.legal_basis or "—"})
        w(_("出处：%(source)s") % {"source": m.source})
        w(_("继承路径：") + " → ".join(j.name for j in result.defined_in))
        w(_("理由："))
        for reason in result.reasons:
            w(f"  - {reason}")
