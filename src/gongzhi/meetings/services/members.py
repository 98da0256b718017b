"""A body's composition: a change confirmed by the body (000 三(二)) is recorded by its
office as a new seat, ending the seat it replaces, which stays in the history."""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.utils.translation import gettext as _

from gongzhi.common.audit import audit_record
from gongzhi.common.errors import FieldError
from gongzhi.meetings import access
from gongzhi.meetings.events import MeetingsEvent
from gongzhi.meetings.services.core import raise_errors
from gongzhi.org.models import Body, BodyMember, Unit, User
from gongzhi.org.services import body_member_assign, person_create


@transaction.atomic
def body_member_change(
    *,
    body: Body,
    role: str,
    start_date: dt.date,
    reason: str,
    unit: Unit | None = None,
    person_name: str = "",
    title: str = "",
    replaces: BodyMember | None = None,
    actor: User | None,
) -> BodyMember:
    """Seat a unit and/or a person (a new person by name) in the body from
    ``start_date``; ``replaces`` is end-dated the day before."""
    access.require(actor, "body_member_change", body)
    errors: list[FieldError] = []
    if role not in BodyMember.Role.values:
        errors.append(FieldError("role", _("未知身份“%(role)s”") % {"role": role}))
    if not reason.strip():
        errors.append(FieldError("reason", _("请注明变更依据（如经第几次会议确认）")))
    if unit is None and not person_name.strip():
        errors.append(FieldError("person_name", _("请选择单位或填写人员姓名")))
    if replaces is not None:
        if replaces.body_id != body.pk:
            errors.append(FieldError("replaces_id", _("被替换的成员不属于该议事机构")))
        elif replaces.end_date is not None:
            errors.append(FieldError("replaces_id", _("被替换的成员已经离任")))
        elif replaces.start_date >= start_date:
            errors.append(FieldError("start_date", _("起始日期须晚于被替换成员的起始日期")))
    if (
        unit is not None
        and not Unit.objects.filter(
            access.jurisdiction_units_q(body.jurisdiction), pk=unit.pk
        ).exists()
    ):
        errors.append(
            FieldError(
                "unit_id",
                _("%(unit)s 不在%(jurisdiction)s及其上级辖区内")
                % {"unit": unit, "jurisdiction": body.jurisdiction},
            )
        )
    raise_errors(errors)
    person = person_create(name=person_name.strip()) if person_name.strip() else None
    seat = body_member_assign(
        body=body,
        role=role,
        unit=unit,
        person=person,
        title=title.strip(),
        start_date=start_date,
        replaces=replaces,
        actor=actor,
        reason=reason.strip(),
    )
    audit_record(
        actor=actor,
        action=MeetingsEvent.MEMBER_CHANGE,
        target=body,
        unit=unit,
        reason=reason.strip(),
        extra={"seat": seat.pk, "replaces": replaces.pk if replaces else None},
    )
    return seat
