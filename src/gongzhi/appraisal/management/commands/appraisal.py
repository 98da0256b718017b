"""``gongzhi appraisal collect``: gather credit facts from the cases (idempotent).
``gongzhi appraisal rules [FILE]``: load the credit rules (data/credit_rules.yaml).
``gongzhi appraisal close CODE PERIOD``: close a period of a jurisdiction's rules as the
system (the office does it on the page or through the API)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext as _

from gongzhi.appraisal.models import CreditPolicy
from gongzhi.appraisal.services import credit_collect, credit_period_close, credit_rules_load
from gongzhi.common.errors import DomainError


class Command(BaseCommand):
    help = "企业信用：collect 采集案件中的信用信息；rules 导入信用规则；close 结算考评期"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("what", choices=["collect", "rules", "close"])
        parser.add_argument("rest", nargs="*")

    def handle(self, *args: Any, **options: Any) -> None:
        what = options["what"]
        rest: list[str] = list(options["rest"])
        try:
            if what == "collect":
                self.stdout.write(str(credit_collect()))
            elif what == "rules":
                path = Path(rest[0]) if rest else None
                loaded = credit_rules_load(path=path)
                self.stdout.write(_("已导入 %(n)s 个辖区的信用规则") % {"n": len(loaded)})
            else:
                if len(rest) != 2:
                    raise CommandError(_("用法：gongzhi appraisal close 辖区代码 考评期"))
                policy = CreditPolicy.objects.filter(jurisdiction__code=rest[0]).first()
                if policy is None:
                    raise CommandError(_("辖区 %(code)s 没有信用考评规则") % {"code": rest[0]})
                close = credit_period_close(policy=policy, period=rest[1], actor=None)
                self.stdout.write(
                    _("%(period)s 已结算，认定 %(n)s 项奖惩")
                    % {"period": close.period, "n": close.standings.count()}
                )
        except DomainError as exc:
            raise CommandError(str(exc)) from exc
