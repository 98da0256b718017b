"""Reports of major events (002 (三)第四条, feedback 第五条; 003 二(十三)): filing a typed form to the bodies
its kind must reach (report_kinds.py), their acknowledgement and their feedback. Moves
follow workflow.REPORT_MOVES and update conditionally on the version read."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal, InvalidOperation
from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models import F
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from gongzhi.common.audit import audit_record
from gongzhi.common.errors import Conflict, DomainError, FieldError, InvalidInput
from gongzhi.notify.models import EventType
from gongzhi.notify.services import About, queue_for_office, queue_for_units
from gongzhi.org.models import Estate, Jurisdiction, User
from gongzhi.parties import access
from gongzhi.parties.events import PartiesEvent
from gongzhi.parties.models import Report, ReportRecipient
from gongzhi.parties.report_kinds import SPECS, ReportKind
from gongzhi.parties.workflow import REPORT_MOVES

LIMITS = {"text": 200, "longtext": 3000, "date": 10, "amount": 20}


def clean_fields(kind: str, fields: dict[str, Any]) -> dict[str, str]:
    """The form's values by the kind's fields, every problem at once."""
    spec = SPECS[kind]
    known = {f.key for f in spec.fields}
    errors = [
        FieldError(f"fields.{key}", _("本类报告没有该项")) for key in sorted(set(fields) - known)
    ]
    clean: dict[str, str] = {}
    for f in spec.fields:
        value = str(fields.get(f.key) or "").strip()
        name = f"fields.{f.key}"
        if not value:
            if f.required:
                errors.append(FieldError(name, _("%(label)s：必填") % {"label": f.label}))
            clean[f.key] = ""
            continue
        if len(value) > LIMITS[f.kind]:
            errors.append(
                FieldError(
                    name,
                    _("%(label)s：太长（最多 %(n)s 字）") % {"label": f.label, "n": LIMITS[f.kind]},
                )
            )
        elif f.kind == "date":
            try:
                value = dt.date.fromisoformat(value).isoformat()
            except ValueError:
                errors.append(
                    FieldError(name, _("%(label)s：日期格式应为 2026-01-31") % {"label": f.label})
                )
        elif f.kind == "amount":
            try:
                amount = Decimal(value.replace(",", ""))
                if not amount.is_finite() or amount < 0:
                    raise InvalidOperation
                value = str(amount)
            except InvalidOperation:
                errors.append(
                    FieldError(name, _("%(label)s：应为不小于 0 的金额") % {"label": f.label})
                )
        clean[f.key] = value
    if errors:
        raise InvalidInput(errors=errors)
    return clean


@transaction.atomic
def report_file(
    *,
    actor: User,
    estate: Estate,
    kind: str,
    filer_party: str,
    fields: dict[str, Any],
    now: dt.datetime | None = None,
) -> Report:
    now = now or timezone.now()
    if kind not in ReportKind.values:
        raise InvalidInput(errors=[FieldError("kind", _("取值不在允许范围内"))])
    unit = access.require_file(actor, estate, filer_party)
    spec = SPECS[kind]
    data = clean_fields(kind, fields)
    every = access.report_recipients(estate, spec.reach)
    targets = [(p, pk, b) for p, pk, b in every if pk is None or unit is None or pk != unit.pk]
    # A body of the kind's list with nobody on record to reach (say, no community party
    # organisation) is kept on the report and shown on its page.
    unreached = [p for p in spec.reach if p not in {t[0] for t in every}]
    if not targets:
        raise DomainError(_("本小区没有该类报告应送达的单位，请联系联席会议办公室"), code="not_now")
    report = Report.objects.create(
        estate=estate,
        kind=kind,
        filer_party=filer_party,
        filer_unit=unit,
        filed_by=actor,
        data=data,
        unreached=unreached,
        feedback_due=timezone.localtime(now).date() + dt.timedelta(days=spec.feedback_days),
    )
    ReportRecipient.objects.bulk_create(
        [ReportRecipient(report=report, party=p, unit_id=pk, body_id=b) for p, pk, b in targets]
    )
    _tell_recipients(report, ReportKind(kind).label, [pk for _p, pk, _b in targets], now)
    audit_record(
        actor=actor,
        action=PartiesEvent.REPORT_FILE,
        target=report,
        unit=unit,
        to_state=report.state,
        extra={
            "estate": estate.code,
            "kind": kind,
            "recipients": [[p, pk] for p, pk, _b in targets],
            "unreached": unreached,
        },
    )
    return report


def _tell_recipients(
    report: Report, kind_label: object, unit_ids: list[int | None], now: dt.datetime
) -> None:
    """Each reached unit hears of the report at once (its group robots and its staff's
    e-mail), and, when the kind reaches the office, the staff of every joint-conference
    office over the estate up to its county (the street's and the county's: a change of
    company concerns both, 003 二(十三)). 002 (三)第四条: 及时报告; the answer is due by
    ``feedback_due``."""
    estate = report.estate
    about = About(
        target=f"parties.report:{report.pk}",
        area_path=estate.community.path,
        params={
            "estate": estate.name,
            "text": str(kind_label),
            "unit": report.filer_unit.name if report.filer_unit else "",
            "due": report.feedback_due.strftime("%m-%d"),
            "link": f"{settings.GONGZHI_PUBLIC_URL}{reverse('parties:report', args=[report.pk])}",
        },
    )
    queue_for_units(
        unit_ids=[pk for pk in unit_ids if pk], event=EventType.REPORT_FILED, about=about, now=now
    )
    if None not in unit_ids:
        return
    levels = Jurisdiction.objects.filter(
        code__in=estate.community.ancestor_codes(),
        level__in=[lv for lv, tier in Jurisdiction.TIER.items() if tier >= 3],
    ).exclude(pk=estate.community_id)
    for level in levels:
        queue_for_office(
            jurisdiction_id=level.pk, event=EventType.REPORT_FILED, about=about, now=now
        )


def _move(
    report: Report, name: str, expected_version: int, actor: User, **changes: Any
) -> tuple[str, str]:
    sources, to = REPORT_MOVES[name]
    unit = access.require_answer(actor, report)
    if report.version != expected_version:
        raise Conflict(_("该报告已被他人处理，请刷新后重试"))
    if report.state not in sources:
        raise DomainError(
            (
                _("报告%(state)s，不能再签收")
                if name == "acknowledge"
                else _("报告%(state)s，不能再反馈")
            )
            % {"state": report.get_state_display()},
            code="bad_state",
        )
    done = Report.objects.filter(pk=report.pk, version=expected_version, state__in=sources).update(
        state=to, version=F("version") + 1, updated_at=timezone.now(), **changes
    )
    if not done:
        raise Conflict(_("该报告已被他人处理，请刷新后重试"))
    old = report.state
    audit_record(
        actor=actor,
        action=PartiesEvent.REPORT_ACKNOWLEDGE
        if name == "acknowledge"
        else PartiesEvent.REPORT_ANSWER,
        target=report,
        unit=unit,
        from_state=old,
        to_state=to,
        reason=str(changes.get("feedback", "")),
    )
    report.refresh_from_db()
    return old, to


@transaction.atomic
def report_acknowledge(
    *, actor: User, report: Report, expected_version: int, now: dt.datetime | None = None
) -> Report:
    now = now or timezone.now()
    _move(
        report, "acknowledge", expected_version, actor, acknowledged_at=now, acknowledged_by=actor
    )
    return report


@transaction.atomic
def report_answer(
    *,
    actor: User,
    report: Report,
    expected_version: int,
    feedback: str,
    now: dt.datetime | None = None,
) -> Report:
    """Feedback ends the report; answering one not yet acknowledged acknowledges it too."""
    now = now or timezone.now()
    if not feedback.strip():
        access.require_answer(actor, report)
        raise InvalidInput(errors=[FieldError("feedback", _("请填写反馈意见"))])
    changes: dict[str, Any] = {
        "feedback": feedback.strip(),
        "answered_at": now,
        "answered_by": actor,
    }
    if report.acknowledged_at is None:
        changes.update(acknowledged_at=now, acknowledged_by=actor)
    _move(report, "answer", expected_version, actor, **changes)
    return report
