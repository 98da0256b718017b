"""One place for everything sent to a person: the notifications of cases (to their units
and to themselves), the messages of joint conferences (to their units) and the three
parties' circulars (to their units, urgent ones first), read together and counted once."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext as _

from gongzhi.cases import access as case_access
from gongzhi.cases.models import Notification
from gongzhi.meetings import access as meetings_access
from gongzhi.parties import access as parties_access

LIMIT = 100


@dataclass
class Notice:
    at: dt.datetime
    text: str
    url: str
    source: str  # "cases", "meetings" or "parties"
    urgent: bool = False


def _case_notices(user: Any) -> Any:
    v = case_access.viewer(user)
    if not v.is_authenticated:
        return Notification.objects.none()
    return Notification.objects.filter(
        Q(unit_id__in=sorted(v.handling_unit_ids)) | Q(user_id=v.user_id), read_at__isnull=True
    )


def _meeting_messages(user: Any) -> Any:
    return meetings_access.readable_messages(user).filter(read_at__isnull=True)


def _circulars(user: Any) -> Any:
    return parties_access.my_receipts(user).filter(read_at__isnull=True)


def _works(user: Any) -> Any:
    return parties_access.my_work_receipts(user).filter(read_at__isnull=True)


def unread_count(user: Any) -> int:
    if not getattr(user, "is_authenticated", False):
        return 0
    return int(
        _case_notices(user).count()
        + _meeting_messages(user).count()
        + _circulars(user).count()
        + _works(user).count()
    )


def unread(user: Any) -> list[Notice]:
    """The unread notices, newest first."""
    found = [
        Notice(n.created_at, n.text, reverse("cases:detail", args=[n.case.number]), "cases")
        for n in _case_notices(user).select_related("case").order_by("-created_at")[:LIMIT]
    ]
    for m in _meeting_messages(user).order_by("-created_at")[:LIMIT]:
        url = reverse("meetings:inbox")
        if m.meeting_id:
            url = reverse("meetings:meeting", args=[m.meeting_id])
        elif m.decision_id:
            url = reverse("meetings:decision", args=[m.decision_id])
        found.append(Notice(m.created_at, m.text, url, "meetings"))
    for r in _circulars(user).select_related("circular").order_by("-created_at")[:LIMIT]:
        c = r.circular
        text = _("【紧急】%(title)s") % {"title": c.title} if c.urgent else c.title
        url = reverse("parties:circular", args=[c.pk])
        found.append(Notice(c.created_at, text, url, "parties", urgent=c.urgent))
    for w in _works(user).select_related("work").order_by("-created_at")[:LIMIT]:
        url = reverse("parties:utility_work", args=[w.work_id])
        found.append(
            Notice(
                w.created_at,
                _("【计划%(supply)s】%(title)s")
                % {"supply": w.work.get_supply_display(), "title": w.work.title},
                url,
                "parties",
            )
        )
    # An urgent circular stays on top until it is read.
    found.sort(key=lambda n: (n.urgent, n.at), reverse=True)
    return found[:LIMIT]
