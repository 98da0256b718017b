"""Other units' parts in a case, each with its own clock: assisting units in joint
handling (联合执法, 003 三(四)), departments summoned by the street (街道吹哨、部门报到,
001 三(二)), the police called to an obstructed enforcement (003 三(五)); their check-in
and completion."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import TYPE_CHECKING, Any, Unpack

from django.db import transaction
from django.db.models import F
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise

from gongzhi.cases import workflow
from gongzhi.cases.models import Case, CaseTask
from gongzhi.cases.services.dispatch import begin, required, target
from gongzhi.cases.services.events import Stamp, event, notify, setting, touch, unit_event
from gongzhi.catalog.timelimits import due_after
from gongzhi.common.errors import Conflict, FieldError, InvalidInput
from gongzhi.org.models import Unit

WHISTLE_CHECKIN_LIMIT = "24h"
POLICE_CHECKIN_LIMIT = "1h"


NONE_CHOSEN = gettext_lazy("请至少选择一个单位")


def _targets(
    case: Case,
    codes: Iterable[Unit | str],
    field: str,
    *,
    none: StrOrPromise = NONE_CHOSEN,
) -> list[Unit]:
    found: list[Unit] = []
    errors: list[FieldError] = []
    for code in codes:
        try:
            unit = target(case, code, field)
        except InvalidInput as exc:
            errors += exc.errors
            continue
        if unit not in found:
            found.append(unit)
    if errors:
        raise InvalidInput(errors=errors)
    if not found:
        raise InvalidInput(errors=[FieldError(field, str(none))])
    return found


def _tasks_create(
    *,
    case: Case,
    actor: Any,
    units: list[Unit],
    kind: str,
    instructions: str,
    checkin_limit: str,
    requested_by: Unit | None,
    side: str,
    now: dt.datetime,
) -> list[CaseTask]:
    open_same = set(
        case.tasks.filter(
            kind=kind, state__in=(CaseTask.TaskState.PENDING, CaseTask.TaskState.CHECKED_IN)
        ).values_list("unit_id", flat=True)
    )
    errors = [
        FieldError("units", _("%(name)s已有未完成的同类任务") % {"name": u.name})
        for u in units
        if u.pk in open_same
    ]
    errors += [
        FieldError("units", _("%(name)s是本案责任单位") % {"name": u.name})
        for u in units
        if u.pk == case.lead_unit_id
    ]
    if errors:
        raise InvalidInput(errors=errors)
    due = due_after(now, checkin_limit)
    label = CaseTask.Kind(kind).label
    tasks = []
    with transaction.atomic():
        touch(case, now=now)
        for unit in units:
            task = CaseTask.objects.create(
                case=case,
                unit=unit,
                kind=kind,
                instructions=instructions,
                requested_by=requested_by,
                checkin_due_at=due,
                due_at=case.resolve_due_at,
            )
            tasks.append(task)
            event(
                case,
                f"task_{kind}",
                actor=actor,
                actor_unit_id=requested_by.pk if requested_by else None,
                unit_id=unit.pk,
                from_state=case.state,
                to_state=case.state,
                reason=instructions,
                extra={"task": task.pk, "side": side, "checkin_due_at": due.isoformat()},
                now=now,
            )
            notify(
                now,
                case,
                f"task_{kind}",
                _("%(label)s：%(title)s（请按时报到）") % {"label": label, "title": case.title},
                unit_id=unit.pk,
            )
    return tasks


def case_joint_request(
    *,
    case: Case,
    actor: Any,
    units: Iterable[Unit | str],
    instructions: str,
    **at: Unpack[Stamp],
) -> list[CaseTask]:
    """联合执法: the lead unit goes first and calls the assisting units (003 三(四)); the
    case can't be handled until every assisting task is done."""
    ctx, now = begin(case, "joint", actor, at)
    chosen = _targets(case, units, "units")
    required(instructions, "instructions", _("请写明协办任务"))
    return _tasks_create(
        case=case,
        actor=actor,
        units=chosen,
        kind=CaseTask.Kind.ASSIST,
        instructions=instructions.strip(),
        checkin_limit=setting("GONGZHI_ASSIST_CHECKIN_LIMIT", "1wd"),
        requested_by=case.lead_unit,
        side=workflow.side_for(workflow.OPS["joint"], ctx) or "",
        now=now,
    )


def case_whistle(
    *,
    case: Case,
    actor: Any,
    units: Iterable[Unit | str],
    instructions: str,
    street_unit: Unit | str = "",
    **at: Unpack[Stamp],
) -> list[CaseTask]:
    """街道吹哨、部门报到 (001 三(二), 002 (二)第四条): a street office whose area holds
    the estate summons named departments to a case; each must check in within the limit.
    The street is the user's own (``street_unit`` chooses when there are several)."""
    ctx, now = begin(case, "whistle", actor, at)
    streets = ctx.whistle_units
    code = street_unit.code if isinstance(street_unit, Unit) else (street_unit or "").strip()
    street = next((u for u in streets if u.code == code), None) if code else streets[0]
    if street is None:
        raise InvalidInput(errors=[FieldError("street_unit", _("请选择您所在的街道办事处"))])
    chosen = _targets(case, units, "units", none=_("请至少选择一个部门"))
    required(instructions, "instructions", _("请写明需要各部门做什么"))
    return _tasks_create(
        case=case,
        actor=actor,
        units=chosen,
        kind=CaseTask.Kind.WHISTLE,
        instructions=instructions.strip(),
        checkin_limit=setting("GONGZHI_WHISTLE_CHECKIN_LIMIT", WHISTLE_CHECKIN_LIMIT),
        requested_by=street,
        side="street",
        now=now,
    )


def case_call_police(*, case: Case, actor: Any, reason: str, **at: Unpack[Stamp]) -> CaseTask:
    """Obstruction of officers: the police serving the estate are called to the case
    (003 三(五))."""
    ctx, now = begin(case, "police", actor, at)
    required(reason, "reason", _("请说明现场阻挠情况"))
    police = ctx.police_unit
    assert police is not None  # the rule's guard
    return _tasks_create(
        case=case,
        actor=actor,
        units=[police],
        kind=CaseTask.Kind.POLICE,
        instructions=reason.strip(),
        checkin_limit=POLICE_CHECKIN_LIMIT,
        requested_by=case.lead_unit,
        side=workflow.side_for(workflow.OPS["police"], ctx) or "",
        now=now,
    )[0]


def _my_task(ctx: workflow.Ctx, task: CaseTask | int | None, *, pending: bool) -> CaseTask:
    """The user's own open task on the case: the one named, or the only one."""
    mine = [t for t in ctx.my_tasks if not pending or t.state == CaseTask.TaskState.PENDING]
    if task is not None:
        pk = task.pk if isinstance(task, CaseTask) else task
        found = next((t for t in mine if t.pk == pk), None)
        if found is None:
            raise InvalidInput(errors=[FieldError("task", _("该任务不存在或不是本单位的任务"))])
        return found
    if len(mine) > 1:
        raise InvalidInput(errors=[FieldError("task", _("本单位有多项任务，请选择一项"))])
    return mine[0]


def case_task_checkin(
    *,
    case: Case,
    actor: Any,
    task: CaseTask | int | None = None,
    reason: str = "",
    **at: Unpack[Stamp],
) -> CaseTask:
    """报到: the summoned unit reports for duty."""
    ctx, now = begin(case, "task_checkin", actor, at)
    mine = _my_task(ctx, task, pending=True)
    with transaction.atomic():
        touch(case, now=now)
        updated = CaseTask.objects.filter(pk=mine.pk, state=CaseTask.TaskState.PENDING).update(
            state=CaseTask.TaskState.CHECKED_IN, checked_in_at=now, updated_at=now
        )
        if updated != 1:
            raise Conflict(_("该任务已报到或已结束，请刷新页面"))
        on_time = mine.checkin_due_at is None or now <= mine.checkin_due_at
        mine.state, mine.checked_in_at = CaseTask.TaskState.CHECKED_IN, now
        extra = {"task": mine.pk, "on_time": on_time}
        unit_event(case, "task_checkin", actor, mine.unit_id, reason.strip(), extra, now)
    return mine


def case_task_done(
    *,
    case: Case,
    actor: Any,
    result: str,
    task: CaseTask | int | None = None,
    **at: Unpack[Stamp],
) -> CaseTask:
    ctx, now = begin(case, "task_done", actor, at)
    mine = _my_task(ctx, task, pending=False)
    required(result, "result", _("请填写完成情况"))
    with transaction.atomic():
        touch(case, now=now)
        updated = CaseTask.objects.filter(
            pk=mine.pk, state__in=(CaseTask.TaskState.PENDING, CaseTask.TaskState.CHECKED_IN)
        ).update(
            state=CaseTask.TaskState.DONE,
            done_at=now,
            result=result.strip(),
            checked_in_at=F("checked_in_at") if mine.checked_in_at else now,
            updated_at=now,
        )
        if updated != 1:
            raise Conflict(_("该任务已结束，请刷新页面"))
        mine.state, mine.done_at, mine.result = CaseTask.TaskState.DONE, now, result.strip()
        unit_event(case, "task_done", actor, mine.unit_id, result.strip(), {"task": mine.pk}, now)
        if case.lead_unit_id:
            notify(
                now,
                case,
                "task_done",
                _("%(name)s已完成协办：%(title)s") % {"name": mine.unit.name, "title": case.title},
                unit_id=case.lead_unit_id,
            )
    return mine
