"""A mass incident (an unplanned outage of a utility, parties app) and the cases it
caused: linking a case to it leaves an event; its closing (restored) leaves an event on
every linked case, handles those the caller says the duty catalog puts on the incident's
utility (the ``incident_handle`` move of the table, where the case's state allows it),
and tells the reporter through the outbox. Called by the parties app, inside its
transaction; the caller establishes the authority (the incident's utility or office)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from gongzhi.cases import workflow
from gongzhi.cases.models import Case
from gongzhi.cases.services.events import Notice, event, now_or, send, touch
from gongzhi.cases.services.transition import case_transition
from gongzhi.notify.models import EventType


@transaction.atomic
def case_incident_link(
    *, case: Case, actor: Any, incident: str, now: dt.datetime | None = None
) -> Case:
    """Record on the case that it is linked to ``incident`` (its label)."""
    now = now_or(now)
    touch(case, now=now)
    event(
        case,
        "incident_link",
        actor=actor,
        from_state=case.state,
        to_state=case.state,
        reason=incident,
        now=now,
    )
    return case


@transaction.atomic
def case_incident_unlink(
    *, case: Case, actor: Any, incident: str, reason: str, now: dt.datetime | None = None
) -> Case:
    """Record on the case that it is no longer linked to ``incident`` (its label), why,
    and tell the reporter (in the app and by SMS) that the case goes on by itself; the
    reason is the handlers' and is not sent."""
    from gongzhi.cases.services.messages import to_reporter

    now = now_or(now)
    touch(case, now=now)
    event(
        case,
        "incident_unlink",
        actor=actor,
        from_state=case.state,
        to_state=case.state,
        reason=_("%(incident)s：%(reason)s") % {"incident": incident, "reason": reason},
        now=now,
    )
    text = _("您的诉求不再随“%(incident)s”一并处理，承办单位将继续单独办理") % {
        "incident": incident
    }
    send(now, case, Notice("unlinked", text, user_id=case.reporter_user_id))
    to_reporter(case, EventType.CASE_UPDATE, now, text=text)
    return case


def incident_may_handle(case: Case) -> bool:
    """Whether the table lets the incident's closing handle ``case`` in its state now."""
    return workflow.state_refusal(workflow.MOVES["incident_handle"], case) is None


@transaction.atomic
def case_incident_restored(
    *,
    case: Case,
    actor: Any,
    incident: str,
    result: str,
    handle: bool,
    tell: bool = True,
    extra: dict[str, Any] | None = None,
    now: dt.datetime | None = None,
) -> str:
    """The incident is over: handle the case (``handle`` and the state allows it) with
    ``result``, or leave an event saying so. Either way the reporter is told (unless
    ``tell`` is False: the caller tells a reporter of several cases once). Returns
    "handled" or "noted"."""
    now = now_or(now)
    text = _("%(incident)s已恢复：%(result)s") % {"incident": incident, "result": result}
    reporter = Notice("restored", text, user_id=case.reporter_user_id)
    if handle and incident_may_handle(case):
        case_transition(
            case=case,
            move="incident_handle",
            actor=actor,
            reason=text,
            changes={"result": text, "handled_at": now},
            event_unit_id=case.lead_unit_id,
            extra=extra,
            authority="incident",
            now=now,
            notices=[
                reporter if tell else None,
                Notice.about(
                    case, "handled", _("已办结待反馈：%(title)s"), jurisdiction_id=case.level_id
                ),
            ],
        )
        return "handled"
    touch(case, now=now)
    event(
        case,
        "incident_restored",
        actor=actor,
        from_state=case.state,
        to_state=case.state,
        reason=text,
        extra=extra,
        now=now,
    )
    send(now, case, reporter if tell else None)
    return "noted"
