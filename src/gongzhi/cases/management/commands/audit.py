"""``gongzhi audit verify|export``: check the hash chains of the case events (one chain
per case) and of the audit events (one chain per audited object), and export a case's
chain for someone who wants to check it without access to the system."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext as _

from gongzhi.cases.models import Case, CaseEvent
from gongzhi.cases.services.events import event_fields
from gongzhi.common.chain import audit_event_fields, verify
from gongzhi.common.models import AuditEvent

HASHED_FIELDS = [
    "case_id",
    "action",
    "actor_id",
    "actor_unit_id",
    "unit_id",
    "from_state",
    "to_state",
    "reason",
    "extra",
    "created_at",
]


class Command(BaseCommand):
    help = "校验或导出事件哈希链（防篡改）"

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="verb", required=True)
        check = sub.add_parser("verify", help=_("校验全部事件链，报告第一个断开的环节"))
        check.add_argument("--case", default="", help=_("只校验该编号的案件"))
        out = sub.add_parser("export", help=_("导出一个案件的事件链（JSON）"))
        out.add_argument("--case", required=True, help=_("案件编号"))
        out.add_argument("-o", "--output", default="", help=_("输出文件（默认打印）"))

    def handle(self, *args: Any, **options: Any) -> None:
        if options["verb"] == "export":
            self._export(options["case"], options["output"])
            return
        self._verify(options["case"])

    def _verify(self, number: str) -> None:
        events = CaseEvent.objects.order_by("case_id", "id")
        if number:
            case = Case.objects.filter(number=number).first()
            if case is None:
                raise CommandError(_("案件 %(number)s 不存在") % {"number": number})
            events = events.filter(case_id=case.pk)
        checked, broken = verify(events.iterator(), lambda e: e.case_id, event_fields)
        if broken is not None:
            case_number = Case.objects.filter(pk=broken.chain).values_list("number", flat=True)
            raise CommandError(
                _(
                    "案件事件链断开：案件 %(next)s，事件 #%(row_id)s：%(problem)s（已校验 %(checked)s 条）"
                )
                % {
                    "next": next(iter(case_number), broken.chain),
                    "row_id": broken.row_id,
                    "problem": broken.problem,
                    "checked": checked,
                }
            )
        self.stdout.write(_("案件事件链完整：%(checked)s 条事件") % {"checked": checked})
        if number:
            return
        audits = AuditEvent.objects.order_by("target_type", "target_id", "id")
        checked, broken = verify(
            audits.iterator(), lambda e: (e.target_type, e.target_id), audit_event_fields
        )
        if broken is not None:
            raise CommandError(
                _("审计事件链断开：对象 %(chain)s，事件 #%(row_id)s：%(problem)s")
                % {"chain": broken.chain, "row_id": broken.row_id, "problem": broken.problem}
            )
        self.stdout.write(_("审计事件链完整：%(checked)s 条事件") % {"checked": checked})

    def _export(self, number: str, output: str) -> None:
        case = Case.objects.filter(number=number).first()
        if case is None:
            raise CommandError(_("案件 %(number)s 不存在") % {"number": number})
        events = list(case.events.order_by("id"))
        _checked, broken = verify(events, lambda e: e.case_id, event_fields)
        body = {
            "case": case.number,
            "algorithm": "sha256 over canonical JSON [v1, prev_hash, fields…] (common/chain.py)",
            "fields": HASHED_FIELDS,
            "intact": broken is None,
            "events": [
                {
                    "id": e.pk,
                    "content": event_fields(e),
                    "prev_hash": e.prev_hash,
                    "hash": e.hash,
                }
                for e in events
            ],
        }
        text = json.dumps(body, ensure_ascii=False, indent=2, default=str)
        if output:
            Path(output).write_text(text, encoding="utf-8")
            self.stdout.write(
                _("已导出 %(len)s 条事件到 %(output)s") % {"len": len(events), "output": output}
            )
        else:
            self.stdout.write(text)
