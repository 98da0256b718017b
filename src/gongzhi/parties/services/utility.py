"""Planned works of a utility (004 三(三); 003 二(十四)): announced at least
``GONGZHI_UTILITY_NOTICE_HOURS`` hours ahead (default 24), reaching the property company of
every estate concerned (an inbox receipt each, in the same transaction) and the estates'
boards until the works end."""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from gongzhi.common.audit import audit_record
from gongzhi.common.errors import FieldError, InvalidInput
from gongzhi.org import kinds
from gongzhi.org.models import Estate, Unit, User
from gongzhi.parties import access
from gongzhi.parties.events import PartiesEvent
from gongzhi.parties.models import UtilityWork, UtilityWorkReceipt


def notice_hours() -> int:
    return int(getattr(settings, "GONGZHI_UTILITY_NOTICE_HOURS", 24))


@transaction.atomic
def utility_work_announce(
    *,
    actor: User,
    utility: Unit | None,
    estates: list[Estate],
    supply: str,
    starts_at: dt.datetime,
    ends_at: dt.datetime,
    title: str,
    description: str = "",
    now: dt.datetime | None = None,
) -> UtilityWork:
    now = now or timezone.now()
    errors: list[FieldError] = []
    if utility is None or not kinds.kind_has(utility.kind_id, kinds.UTILITY_SERVICE):
        raise InvalidInput(errors=[FieldError("utility_id", _("所选单位不是专营单位"))])
    access.require_announce(actor, utility, estates)
    if not estates:
        errors.append(FieldError("estate_codes", _("请选择涉及的小区")))
    outside = [
        e.name for e in estates if not e.community.path.startswith(utility.jurisdiction.path)
    ]
    if outside:
        errors.append(
            FieldError(
                "estate_codes",
                _("不在该专营单位服务范围内：%(estates)s") % {"estates": "、".join(outside)},
            )
        )
    if supply not in UtilityWork.Supply.values:
        errors.append(FieldError("supply", _("取值不在允许范围内")))
    hours = notice_hours()
    if starts_at < now + dt.timedelta(hours=hours):
        errors.append(
            FieldError("starts_at", _("计划停水停电须至少提前 %(n)s 小时公告") % {"n": hours})
        )
    if ends_at <= starts_at:
        errors.append(FieldError("ends_at", _("结束时间须晚于开始时间")))
    if not title.strip():
        errors.append(FieldError("title", _("不能为空")))
    if errors:
        raise InvalidInput(errors=errors)
    work = UtilityWork.objects.create(
        utility=utility,
        supply=supply,
        starts_at=starts_at,
        ends_at=ends_at,
        title=title.strip(),
        description=description.strip(),
        announced_by=actor,
    )
    work.estates.set(estates)
    companies = sorted({e.property_company_id for e in estates if e.property_company_id})
    UtilityWorkReceipt.objects.bulk_create(
        [UtilityWorkReceipt(work=work, unit_id=pk) for pk in companies]
    )
    audit_record(
        actor=actor,
        action=PartiesEvent.UTILITY_WORK_ANNOUNCE,
        target=work,
        unit=utility,
        extra={"estates": [e.code for e in estates], "companies": companies},
    )
    return work
