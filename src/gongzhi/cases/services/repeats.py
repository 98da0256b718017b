"""Repeats in one step (issue 13 item 5): the office takes a group of repeat cases from the
desk (cases/repeats.py finds them), merges them into the one that carries on, and may raise
that case with the others attached as a candidate topic for the conference over the estate.

One transaction for the whole step: each duplicate is a ``case_merge`` (its rights, version
and audit event), its reporter becomes a caller on the case that carries on (shown like the
reporter, only to the handling sides) and is told by SMS/inbox where the problem is now
handled; the topic is ``meetings.services.topic_from_cases`` (the convener still approves
it). Any refusal — a case the actor may not merge, another estate, a stale version, a topic
refused — leaves every case as it was."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from gongzhi.cases.access import readable_cases
from gongzhi.cases.models import OPEN_STATES, Case, CaseCall, Channel
from gongzhi.cases.services.closing import case_merge
from gongzhi.cases.services.events import now_or
from gongzhi.cases.services.messages import to_reporter
from gongzhi.common.errors import FieldError, InvalidInput
from gongzhi.notify.models import EventType

MAX_REPEATS = 50


@dataclass
class RepeatsMerged:
    case: Case
    merged: list[Case]
    topic: Any = None  # meetings.Topic when one was raised


def _cases(actor: Any, keep: str, numbers: list[str]) -> tuple[Case, list[Case]]:
    numbers = list(dict.fromkeys(n.strip()[:40] for n in numbers if n.strip() and n != keep))
    errors: list[FieldError] = []
    if not keep.strip():
        errors.append(FieldError("keep", _("请选择保留的案件")))
    if not numbers:
        errors.append(FieldError("numbers", _("请至少选择一件要并入的案件")))
    elif len(numbers) > MAX_REPEATS:
        errors.append(FieldError("numbers", _("一次最多合并 %(n)s 件") % {"n": MAX_REPEATS}))
    if errors:
        raise InvalidInput(errors=errors)
    found = {
        c.number: c
        for c in readable_cases(actor)
        .filter(number__in=[keep.strip(), *numbers])
        .select_related("estate__community", "matter", "reporter_user")
    }
    missing = [n for n in [keep.strip(), *numbers] if n not in found]
    if missing:
        raise InvalidInput(
            errors=[
                FieldError("numbers", _("案件 %(number)s 不存在或无权操作") % {"number": n})
                for n in missing
            ]
        )
    kept = found[keep.strip()]
    others = [found[n] for n in numbers]
    elsewhere = [c.number for c in others if c.estate_id != kept.estate_id]
    if elsewhere:
        raise InvalidInput(
            errors=[
                FieldError(
                    "numbers",
                    _("%(list)s 与 %(number)s 不是同一小区，不能合并")
                    % {"list": _("、").join(elsewhere), "number": kept.number},
                )
            ]
        )
    return kept, others


def _caller(kept: Case, other: Case, actor: Any, now: dt.datetime) -> None:
    """The duplicate's reporter as a caller on the case that carries on."""
    if not (other.reporter_name or other.reporter_phone):
        return
    CaseCall.objects.create(
        case=kept,
        channel=other.channel if other.channel in Channel.values else Channel.WEB,
        caller_name=other.reporter_name[:50],
        caller_phone=other.reporter_phone[:20],
        note=_("%(number)s：%(title)s") % {"number": other.number, "title": other.title},
        registered_by=actor if getattr(actor, "is_authenticated", False) else None,
        created_at=now,
    )


def _conference(actor: Any, case: Case) -> Any:
    """The deepest conference over the case's estate where ``actor`` may raise a topic."""
    from gongzhi.meetings import access as meetings_access
    from gongzhi.org.models import Body

    path = case.estate.community.path
    bodies = [
        b
        for b in Body.objects.filter(is_active=True).select_related("jurisdiction")
        if path.startswith(b.jurisdiction.path)
    ]
    for body in sorted(bodies, key=lambda b: len(b.jurisdiction.path), reverse=True):
        if meetings_access.offered(actor, "topic_from_cases", body):
            return body
    raise InvalidInput(errors=[FieldError("topic", _("没有您可以提出议题的议事机构"))])


def repeats_merge(
    *,
    actor: Any,
    keep: str,
    numbers: list[str],
    topic: bool = False,
    reason: str = "",
    now: dt.datetime | None = None,
) -> RepeatsMerged:
    """Merge the cases ``numbers`` into ``keep`` (all at one estate, all open, each one the
    actor may merge as the office) and, with ``topic``, raise ``keep`` with the merged
    cases as a candidate topic of the nearest conference the actor may propose to."""
    from gongzhi.meetings.services import topic_from_cases

    now = now_or(now)
    kept, others = _cases(actor, keep, numbers)
    closed = [c.number for c in [kept, *others] if c.state not in OPEN_STATES]
    if closed:
        raise InvalidInput(
            errors=[
                FieldError("numbers", _("案件 %(number)s 已结束，不能合并") % {"number": n})
                for n in closed
            ]
        )
    reason = reason.strip()[:2000] or _("重复诉求，并入 %(number)s 一并办理") % {
        "number": kept.number
    }
    with transaction.atomic():
        for other in others:
            case_merge(case=other, into=kept, actor=actor, reason=reason, now=now)
            _caller(kept, other, actor, now)
            to_reporter(
                other,
                EventType.CASE_UPDATE,
                now,
                text=_("您反映的问题与 %(number)s 为同一问题，已并入一并办理，可凭原链接查看进度")
                % {"number": kept.number},
            )
        raised = None
        if topic:
            raised = topic_from_cases(
                body=_conference(actor, kept), cases=[kept, *others], actor=actor
            )
    kept.refresh_from_db()
    return RepeatsMerged(kept, others, raised)
