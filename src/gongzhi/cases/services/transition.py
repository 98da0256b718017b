"""``case_transition``: the only code that changes ``Case.state``. It checks the move
against the table (cases/workflow.py), updates on the state and version read (so of two
people acting at once exactly one wins), and writes the event."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any

from django.db import transaction
from django.db.models import F
from django.utils.translation import gettext as _

from gongzhi.cases import access, workflow
from gongzhi.cases.models import Case, EnforcementStep, State
from gongzhi.cases.services.events import (
    CONFLICT,
    STALE,
    Notice,
    event_row,
    events_save,
    now_or,
    send,
)
from gongzhi.common.errors import Conflict, DomainError, PermissionDenied


def check_version(case: Case, expected_version: int | None) -> None:
    """A stale page is a conflict, whatever the state now is: the user decided on what
    they saw (issue 8 defect 13: 409 before any other answer)."""
    if expected_version is not None and expected_version != case.version:
        raise Conflict(STALE)


@transaction.atomic
def case_transition(
    *,
    case: Case,
    move: str,
    actor: Any,
    reason: str = "",
    changes: dict[str, Any] | None = None,
    event_unit_id: int | None = None,
    extra: dict[str, Any] | None = None,
    expected_version: int | None = None,
    authority: str | None = None,
    via: str | None = None,
    ctx: workflow.Ctx | None = None,
    notices: Sequence[Notice | None] = (),
    now: dt.datetime | None = None,
) -> Case:
    """Apply one move of the table to ``case``.

    ``authority`` names a side the caller has established itself (a conference whose
    area holds the case) instead of the actor's own; ``via`` a move whose sides may bring
    this one about (``rate`` → ``reopen``). ``notices`` go out with the move."""
    now = now_or(now)
    check_version(case, expected_version)
    spec = workflow.MOVES.get(move)
    if spec is None:
        raise PermissionDenied(_("未知操作“%(move)s”") % {"move": move})
    side = _side(spec, case, actor, authority, via, ctx, reason)
    target = spec.target or case.resume_state or State.IN_PROGRESS
    values: dict[str, Any] = dict(changes or {})
    values["state"] = target
    values["updated_at"] = now
    if target == State.CLOSED and case.is_enforcement:
        # 结案 is the sixth step however the case closes (003 四).
        values["enforcement_step"] = EnforcementStep.CLOSE
    updated = Case.objects.filter(pk=case.pk, state=case.state, version=case.version).update(
        version=F("version") + 1, **values
    )
    if updated != 1:
        raise Conflict(CONFLICT)
    from_state = case.state
    # The unit the actor acted for, before the move changes the lead unit (a transfer
    # is made by the unit passing the case on, not by its receiver).
    actor_unit_id = access.acting_unit_id(actor, case, side) if actor else None
    for key, value in values.items():
        setattr(case, key, value)
    case.version += 1
    rows = [
        event_row(
            case,
            move,
            actor=actor,
            actor_unit_id=actor_unit_id,
            unit_id=event_unit_id,
            from_state=from_state,
            to_state=target,
            reason=reason,
            extra={"side": side, **(extra or {})},
            now=now,
        )
    ]
    if values.get("enforcement_step") == EnforcementStep.CLOSE and from_state != State.CLOSED:
        rows.append(_closing_step(case, target, str(spec.label), now))
    events_save(case, rows)
    send(now, case, *notices)
    return case


def _side(
    spec: workflow.Rule,
    case: Case,
    actor: Any,
    authority: str | None,
    via: str | None,
    ctx: workflow.Ctx | None,
    reason: str,
) -> str:
    """The side the move is made on: the authority the caller established, or the
    actor's own, checked against the table."""
    if authority is None:
        return workflow.require(spec.name, ctx or workflow.Ctx(case, actor), via=via, reason=reason)
    if authority not in spec.sides:
        raise PermissionDenied(_("您无权对该案件执行此操作"))
    why = workflow.state_refusal(spec, case)
    if why is not None:
        raise DomainError(why, code="bad_state")
    return authority


def _closing_step(case: Case, state: str, label: str, now: dt.datetime) -> Any:
    """结案 of the six-step procedure, recorded however the case closes (003 四)."""
    return event_row(
        case,
        "step_close",
        unit_id=case.lead_unit_id,
        from_state=state,
        to_state=state,
        reason=_("处置程序结案（%(label)s）") % {"label": label},
        extra={"step": EnforcementStep.CLOSE},
        now=now,
    )
