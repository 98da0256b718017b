"""What a case's notices send outside the web pages (gongzhi.notify): the units' group
robots and staff e-mail, the office's e-mail, and the reporter's SMS — "received" with
the ledger number and the private link, "feedback ready" with the link to rate. Called
inside the write's transaction; the outbox delivers after the commit.

Unit and office messages carry the title with personal data masked (a group chat is
wider than the handling unit's staff); the reporter's own messages carry their own
words."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from gongzhi.cases import access
from gongzhi.cases.models import Case
from gongzhi.notify.models import EventType
from gongzhi.notify.services import About, queue_for_office, queue_for_person, queue_for_units

if TYPE_CHECKING:
    from gongzhi.cases.services.events import Notice

# The kind of an in-app notice → the event its messages are sent as.
KIND_EVENTS = {
    "dispatch": EventType.DISPATCHED,
    "transfer": EventType.TRANSFERRED,
    "warn": EventType.WARNING,
    "breach": EventType.OVERDUE,
    "late": EventType.OVERDUE,
    "escalated": EventType.ESCALATED,
    "feedback": EventType.FEEDBACK_READY,
    "restored": EventType.INCIDENT_RESTORED,
}


def _local(at: dt.datetime | None) -> str:
    return timezone.localtime(at).strftime("%m-%d %H:%M") if at else ""


def about(case: Case, *, masked: bool, **params: Any) -> About:
    names = [case.reporter_name] if case.reporter_name else []
    title = access.mask_text(case.title, names=names) if masked else case.title
    values = {
        "number": case.number,
        "title": title,
        "estate": case.estate.name,
        "unit": case.lead_unit.name if case.lead_unit_id and case.lead_unit else "",
        "due": _local(case.accept_due_at if case.accepted_at is None else case.resolve_due_at),
        **params,
    }
    return About(target=f"cases.case:{case.number}", area_path=case.area_path, params=values)


def link(case: Case) -> str:
    """The reporter's private link to follow and rate the case (GONGZHI_PUBLIC_URL +
    path; ``access.follow_token``)."""
    path = reverse("cases:follow", args=[access.follow_token(case)])
    return f"{settings.GONGZHI_PUBLIC_URL}{path}"


def notices_out(case: Case, notices: list[Notice], now: dt.datetime) -> None:
    """The messages of a write's in-app notices."""
    for n in notices:
        event = KIND_EVENTS.get(n.kind, EventType.CASE_UPDATE)
        if event == EventType.FEEDBACK_READY:
            to_reporter(case, event, now)
            continue
        if event == EventType.INCIDENT_RESTORED:
            to_reporter(case, event, now, text=n.text)
            continue
        text = access.mask_text(n.text, names=[case.reporter_name] if case.reporter_name else [])
        if n.unit_id:
            queue_for_units(
                unit_ids=[n.unit_id],
                event=event,
                about=about(case, masked=True, text=text),
                now=now,
            )
        if n.jurisdiction_id:
            queue_for_office(
                jurisdiction_id=n.jurisdiction_id,
                event=event,
                about=about(case, masked=True, text=text),
                now=now,
            )


def to_reporter(case: Case, event: str, now: dt.datetime, **params: Any) -> None:
    """An SMS (and e-mail, inbox) to the reporter, if there is one to reach; ``params``
    fill the event's template (e.g. ``text``)."""
    if not (case.reporter_phone or case.reporter_user_id):
        return
    label = _("诉求人 %(name)s %(phone)s") % {
        "name": access.mask_name(case.reporter_name),
        "phone": access.mask_phone(case.reporter_phone),
    }
    queue_for_person(
        event=event,
        about=about(case, masked=False, link=link(case), **params),
        label=label.strip()[:200],
        phone=case.reporter_phone,
        user=case.reporter_user,
        now=now,
    )


def rating_reminded(numbers: list[str]) -> set[str]:
    """Which of these cases' reporters were already reminded to rate."""
    from gongzhi.notify.models import Message

    targets = [f"cases.case:{n}" for n in numbers]
    found = Message.objects.filter(event=EventType.RATE_CASE, target__in=targets).values_list(
        "target", flat=True
    )
    return {t.split(":", 1)[1] for t in found}
