"""An estate problem: raised at its tier (also from a case), moved through the tier's table
(workflow.py), passed on to another lead party, linked to a case (002 (二)第二–五条)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from gongzhi.common.audit import audit_record
from gongzhi.common.errors import Conflict, FieldError, InvalidInput
from gongzhi.org.models import Estate, User
from gongzhi.parties.models import Party
from gongzhi.problems import access, workflow
from gongzhi.problems.events import ProblemsEvent
from gongzhi.problems.models import CLOSED_STATES, Note, Problem, Tier

STALE = _("该问题已被他人更新，请刷新后重试")


def _text_errors(title: str, tier: str, lead_party: str) -> list[FieldError]:
    errors = []
    if tier not in Tier.values:
        errors.append(FieldError("tier", _("取值不在允许范围内")))
    if not title.strip():
        errors.append(FieldError("title", _("请写明问题")))
    elif len(title.strip()) > 120:
        errors.append(FieldError("title", _("太长")))
    if lead_party not in Party.values or lead_party == Party.OFFICE:
        errors.append(FieldError("lead_party", _("取值不在允许范围内")))
    return errors


@transaction.atomic
def problem_raise(
    *,
    actor: User,
    estate: Estate,
    tier: str,
    title: str,
    description: str = "",
    lead_party: str = Party.RESIDENTS_COMMITTEE,
    case: Any = None,
    now: dt.datetime | None = None,
) -> Problem:
    """Raise a problem at ``tier`` on ``estate``: any of the estate's sides may."""
    unit = access.acting_unit(actor, estate, workflow.ALL)
    errors = _text_errors(title, tier, lead_party)
    if case is not None and case.estate_id != estate.pk:
        errors.append(FieldError("case", _("案件不属于本小区")))
    if errors:
        raise InvalidInput(errors=errors)
    now = now or timezone.now()
    spec = workflow.TIERS[tier]
    problem = Problem.objects.create(
        estate=estate,
        tier=tier,
        state=spec.start,
        title=title.strip(),
        description=description.strip(),
        lead_party=lead_party,
        case=case,
        raised_by=unit,
        due_at=workflow.due_at(tier, spec.start, now),
    )
    audit_record(
        actor=actor,
        action=ProblemsEvent.RAISE,
        target=problem,
        unit=unit,
        to_state=problem.state,
        extra={"estate": estate.code, "tier": tier, "case": case.number if case else None},
    )
    return problem


def problem_from_case(
    *,
    actor: User,
    case: Any,
    tier: str,
    title: str = "",
    description: str = "",
    lead_party: str = Party.RESIDENTS_COMMITTEE,
    now: dt.datetime | None = None,
) -> Problem:
    """A case becomes an estate problem, linked to it. The case's reporter stays on the
    case: the problem carries only what the staff write."""
    from gongzhi.cases.access import can_read

    if case is None or not can_read(actor, case):
        from gongzhi.common.errors import NotFound

        raise NotFound(_("未找到，或无权查看"))
    if case.estate is None:
        raise InvalidInput(errors=[FieldError("case", _("该案件没有所属小区，不能转为小区问题"))])
    return problem_raise(
        actor=actor,
        estate=case.estate,
        tier=tier,
        title=title or case.title,
        description=description,
        lead_party=lead_party,
        case=case,
        now=now,
    )


def _apply(
    problem: Problem, expected_version: int, *, state: str | None = None, **fields: Any
) -> None:
    """The conditional update: on the version and state read, so of two people acting at
    once exactly one wins."""
    count = Problem.objects.filter(
        pk=problem.pk, version=expected_version, state=problem.state
    ).update(
        state=state or problem.state,
        version=F("version") + 1,
        updated_at=timezone.now(),
        **fields,
    )
    if count != 1:
        raise Conflict(STALE)


@transaction.atomic
def problem_transition(
    *,
    actor: User,
    problem: Problem,
    move: str,
    expected_version: int,
    text: str = "",
    now: dt.datetime | None = None,
) -> Problem:
    """Make one of the tier's moves (or its note operations: progress, answers)."""
    if problem.version != expected_version:
        raise Conflict(STALE)
    m = workflow.require(problem, move, set(access.sides(actor, problem.estate)))
    if m.to is None and m.note is None:
        raise InvalidInput(errors=[FieldError("move", _("这项操作另有入口"))])
    if m.note and not text.strip():
        raise InvalidInput(
            errors=[FieldError("text", _("请填写%(what)s") % {"what": Note.Kind(m.note).label})]
        )
    unit = access.acting_unit(actor, problem.estate, m.sides)
    now = now or timezone.now()
    old_state, old_tier = problem.state, problem.tier
    fields: dict[str, Any] = {}
    if m.to is not None:
        tier = m.tier or problem.tier
        fields = {
            "tier": tier,
            "due_at": workflow.due_at(tier, m.to, now),
            "closed_at": now if m.to in CLOSED_STATES else None,
        }
    _apply(problem, expected_version, state=m.to, **fields)
    if m.note:
        Note.objects.create(problem=problem, kind=m.note, text=text.strip(), unit=unit)
    problem.refresh_from_db()
    audit_record(
        actor=actor,
        action=ProblemsEvent.MOVE if m.to else ProblemsEvent.NOTE,
        target=problem,
        unit=unit,
        from_state=old_state,
        to_state=problem.state,
        reason=text.strip()[:500],
        extra={"move": move, "tier": problem.tier, "from_tier": old_tier},
    )
    return problem


@transaction.atomic
def problem_pass_on(
    *, actor: User, problem: Problem, expected_version: int, lead_party: str, reason: str
) -> Problem:
    """Another party leads; refused for a historical problem (第五条)."""
    if problem.version != expected_version:
        raise Conflict(STALE)
    m = workflow.require(problem, "pass_on", set(access.sides(actor, problem.estate)))
    errors = []
    if lead_party not in Party.values or lead_party == Party.OFFICE:
        errors.append(FieldError("lead_party", _("取值不在允许范围内")))
    elif lead_party == problem.lead_party:
        errors.append(FieldError("lead_party", _("与现牵头方相同")))
    if not reason.strip():
        errors.append(FieldError("reason", _("请写明理由")))
    if errors:
        raise InvalidInput(errors=errors)
    unit = access.acting_unit(actor, problem.estate, m.sides)
    old = problem.lead_party
    _apply(problem, expected_version, lead_party=lead_party)
    problem.refresh_from_db()
    audit_record(
        actor=actor,
        action=ProblemsEvent.PASS_ON,
        target=problem,
        unit=unit,
        from_state=problem.state,
        to_state=problem.state,
        reason=reason.strip()[:500],
        extra={"from": old, "to": lead_party},
    )
    return problem


@transaction.atomic
def problem_link_case(
    *, actor: User, problem: Problem, expected_version: int, case_number: str
) -> Problem:
    """Link a case of the same estate that the actor may read (the whistle is blown on
    it, 第四条; or the problem goes back to it)."""
    from gongzhi.cases.display import case_for

    if problem.version != expected_version:
        raise Conflict(STALE)
    m = workflow.require(problem, "link_case", set(access.sides(actor, problem.estate)))
    case = case_for(actor, case_number.strip()[:40])
    if case is None:
        raise InvalidInput(errors=[FieldError("case_number", _("未找到该案件，或无权查看"))])
    if case.estate_id != problem.estate_id:
        raise InvalidInput(errors=[FieldError("case_number", _("案件不属于本小区"))])
    unit = access.acting_unit(actor, problem.estate, m.sides)
    _apply(problem, expected_version, case=case)
    problem.refresh_from_db()
    audit_record(
        actor=actor,
        action=ProblemsEvent.LINK_CASE,
        target=problem,
        unit=unit,
        from_state=problem.state,
        to_state=problem.state,
        extra={"case": case.number},
    )
    return problem
