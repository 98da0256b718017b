"""The one table of what may be done to a case, by whom and when.

``MOVES`` change ``Case.state``; ``case_transition`` (services/transition.py) is the only
code that applies them. ``OPS`` leave the state as it is (tasks, the six steps, records).
For each: the states it may start from, the sides that may make it (cases/access.py),
whether it needs a reason, and a guard for what else must hold. ``refusal`` answers why a
user may not do something now; ``offered`` lists what a user may do now. The services
call ``require`` before every write, and the doors list ``offered``, so a page's buttons,
the API's ``allowed`` list and the services' checks are one rule.

Sides: ``office``, ``lead``, ``assist``, ``street``, ``reporter``, ``registrar``
(access.py), ``system`` the deadline sweep, ``conference`` a joint conference's decision
on a case in its area (meetings app), ``incident`` the closing of a mass incident the case
is linked to (parties app's outages)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import cached_property
from typing import Any

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from gongzhi.cases.access import (
    OPEN_TASK_STATES,
    ReporterLink,
    Viewer,
    office_above,
    police_for,
    viewer,
)
from gongzhi.cases.models import (
    OPEN_STATES,
    Case,
    CaseTask,
    EnforcementStep,
    RatingAppeal,
    ReportForm,
    ReportOpinion,
    State,
)
from gongzhi.common.errors import DomainError, PermissionDenied

S = State
# A case in hand: a unit or an office is working on it, no result yet.
IN_HAND = (S.DISPATCHED, S.ACCEPTED, S.IN_PROGRESS, S.SUSPENDED)
WORKING = (S.ACCEPTED, S.IN_PROGRESS)
NOT_MERGED = tuple(s for s in State.values if s != S.MERGED)


class Ctx:
    """A case as one user (or the system) sees it now; facts the guards need are loaded
    once, when first asked."""

    def __init__(self, case: Case, actor: Any) -> None:
        self.case = case
        self.actor = actor
        # The holder of a case's private link stands on the reporter side of that case.
        self.link = actor if isinstance(actor, ReporterLink) else None
        self.viewer: Viewer | None = (
            viewer(actor) if actor is not None and self.link is None else None
        )
        self._sides: dict[str, bool] = {}

    def has_side(self, side: str) -> bool:
        if self.link is not None:
            return side == "reporter" and self.link.case_id == self.case.pk
        if side not in self._sides:
            if self.viewer is None:
                self._sides[side] = side == "system"
            elif side == "assist":
                mine = self.viewer.handling_unit_ids
                self._sides[side] = any(t.unit_id in mine for t in self.open_tasks)
            elif side == "street":
                self._sides[side] = bool(self.whistle_units)
            else:
                self._sides[side] = self.viewer.has_side(self.case, side)
        return self._sides[side]

    @property
    def sides(self) -> set[str]:
        """Every side the user acts on (asks each; see ``has_side``)."""
        if self.link is not None:
            return {"reporter"} if self.has_side("reporter") else set()
        if self.viewer is None:
            return {"system"}
        return {
            s
            for s in ("office", "lead", "assist", "street", "reporter", "registrar")
            if self.has_side(s)
        }

    @cached_property
    def open_tasks(self) -> list[CaseTask]:
        return list(
            CaseTask.objects.filter(case_id=self.case.pk, state__in=OPEN_TASK_STATES)
            .select_related("unit")
            .order_by("id")
        )

    @cached_property
    def my_tasks(self) -> list[CaseTask]:
        """Open tasks of the units this user handles for."""
        mine = self.viewer.handling_unit_ids if self.viewer else frozenset()
        return [t for t in self.open_tasks if t.unit_id in mine]

    @cached_property
    def pending_appeal(self) -> RatingAppeal | None:
        return (
            RatingAppeal.objects.filter(
                case_id=self.case.pk, state=RatingAppeal.AppealState.PENDING
            )
            .select_related("unit")
            .first()
        )

    @cached_property
    def report_form(self) -> ReportForm | None:
        return ReportForm.objects.filter(case_id=self.case.pk).first()

    @cached_property
    def signed(self) -> set[str]:
        form = self.report_form
        if form is None:
            return set()
        return set(ReportOpinion.objects.filter(form=form).values_list("signer", flat=True))

    @cached_property
    def office_above(self) -> Any:
        return office_above(self.case.level)

    @cached_property
    def police_unit(self) -> Any:
        return police_for(self.case)

    @cached_property
    def whistle_units(self) -> list[Any]:
        v = self.viewer
        if v is None or not (v.street_units or v.street_office_paths):
            return []
        return v.whistle_units(self.case)


Guard = Callable[[Ctx, str], str | Promise | None]


@dataclass(frozen=True)
class Rule:
    name: str
    label: str | Promise
    states: tuple[str, ...]
    sides: tuple[str, ...]
    target: str | None = None  # moves: the new state; None = back to the state before
    needs_reason: bool = False
    guard: Guard | None = None
    # Moves that may bring this one about on their own sides' authority (a dissatisfied
    # rating reopens the case for the reporter, who may not reopen it by hand).
    via: tuple[str, ...] = ()
    is_move: bool = True


# --- guards: what else must hold (the side is the one the user acts on) --------------------


def _can_escalate(ctx: Ctx, side: str) -> str | Promise | None:
    if ctx.office_above is None:
        return _("上级未设联席会议办公室，无法继续上报；请提请本级联席会议研究")
    return None


def _no_open_assist(ctx: Ctx, side: str) -> str | Promise | None:
    waiting = [t for t in ctx.open_tasks if t.kind == CaseTask.Kind.ASSIST]
    if waiting:
        names = "、".join(t.unit.name for t in waiting)
        return _("协办单位尚未完成：%(names)s") % {"names": names}
    return None


def _transferred(ctx: Ctx, side: str) -> str | Promise | None:
    if not ctx.case.transferred_from_id:
        return _("该案件没有转办记录")
    return None


def _has_lead(ctx: Ctx, side: str) -> str | Promise | None:
    if not ctx.case.lead_unit_id:
        return _("该案件尚无责任单位")
    return None


def _police_nearby(ctx: Ctx, side: str) -> str | Promise | None:
    return _has_lead(ctx, side) or (
        None if ctx.police_unit is not None else _("辖区内没有登记公安派出所")
    )


def _step(*steps: str, first: str | Promise) -> Guard:
    """The procedure is at one of ``steps``; ``first`` says what must come before."""

    def guard(ctx: Ctx, side: str) -> str | Promise | None:
        case = ctx.case
        if not case.is_enforcement:
            return _("该案件不是执法处置案件")
        if (case.enforcement_step or EnforcementStep.DISCOVER) not in steps:
            return first
        return None

    return guard


def _may_sign(ctx: Ctx, side: str) -> str | Promise | None:
    if ctx.report_form is None:
        return _("该案件没有呈报表")
    slot = ReportOpinion.Signer.OFFICE if side == "office" else ReportOpinion.Signer.RECEIVING
    if side == "lead" and ctx.case.lead_unit_id != ctx.report_form.receiving_unit_id:
        return _("只有接收单位可以签署意见")
    if slot in ctx.signed:
        return _("已签署过意见")
    return None


def _may_appeal(ctx: Ctx, side: str) -> str | Promise | None:
    if not ctx.case.rating:
        return _("该案件尚无评价")
    if ctx.pending_appeal is not None:
        return _("已有待裁定的申诉")
    return None


def _appeal_pending(ctx: Ctx, side: str) -> str | Promise | None:
    return None if ctx.pending_appeal is not None else _("没有待裁定的申诉")


def _pending_task(ctx: Ctx, side: str) -> str | Promise | None:
    if not any(t.state == CaseTask.TaskState.PENDING for t in ctx.my_tasks):
        return _("本单位没有待报到的任务")
    return None


def _open_task(ctx: Ctx, side: str) -> str | Promise | None:
    return None if ctx.my_tasks else _("本单位没有未完成的任务")


def _whistle(ctx: Ctx, side: str) -> str | Promise | None:
    return None if ctx.whistle_units else _("您不是该小区所在街道的工作人员")


M = Rule
MOVES: dict[str, Rule] = {
    m.name: m
    for m in (
        # The office dispatches a case from its desk to the responsible unit.
        M("dispatch", _("分派"), (S.REGISTERED, S.RETURNED, S.ESCALATED), ("office", "system"),
          S.DISPATCHED),
        # 签收: the unit takes the case.
        M("accept", _("签收"), (S.DISPATCHED,), ("lead",), S.ACCEPTED),
        # First response: on site / in contact; the clock of the response limit stops.
        M("start", _("开始办理"), (S.ACCEPTED,), ("lead",), S.IN_PROGRESS),
        # 退回: not ours; the unit gives a reason and the catalog entry it believes applies.
        M("return", _("退回"), (S.DISPATCHED, S.ACCEPTED), ("lead",), S.RETURNED,
          needs_reason=True),
        # 转办 directly to the unit responsible (003 三(四)).
        M("transfer", _("转办"), (S.DISPATCHED, S.ACCEPTED, S.IN_PROGRESS), ("lead", "office"),
          S.DISPATCHED, needs_reason=True, guard=_has_lead),
        # The office rules a transfer was the transferring unit's own (buck-passing).
        M("rule_transfer", _("裁定转办不成立"), (S.DISPATCHED, S.ACCEPTED, S.IN_PROGRESS),
          ("office",), S.DISPATCHED, needs_reason=True, guard=_transferred),
        # 逐级上报: to the office one level up (004 三(四)); the sweep does it on breach.
        M("escalate", _("上报上级"),
          (S.REGISTERED, S.DISPATCHED, S.ACCEPTED, S.IN_PROGRESS, S.RETURNED, S.ESCALATED),
          ("lead", "office", "system"), S.ESCALATED, needs_reason=True, guard=_can_escalate),
        # The office rules on a returned case: it was the unit's own after all.
        M("overrule", _("裁定退回不成立"), (S.RETURNED,), ("office",), S.DISPATCHED,
          needs_reason=True),
        M("suspend", _("挂起"), WORKING, ("lead", "office"), S.SUSPENDED, needs_reason=True),
        M("resume", _("恢复办理"), (S.SUSPENDED,), ("lead", "office", "system"), None),
        # 办结 with result and evidence; not while an assisting task is open (003 三(四)).
        M("handle", _("办结"), WORKING, ("lead",), S.HANDLED, guard=_no_open_assist),
        # The office sends the result back to the reporter (or sends it back to the unit).
        M("feedback", _("反馈诉求人"), (S.HANDLED,), ("office", "system"), S.FEEDBACK),
        M("send_back", _("退回重办"), (S.HANDLED,), ("office",), S.IN_PROGRESS,
          needs_reason=True),
        # The reporter rates; the office may record it on a callback visit (回访).
        M("rate", _("评价"), (S.FEEDBACK,), ("reporter", "office"), S.CLOSED),
        # Dissatisfied within the reopen limit: back to the same unit; the office may
        # also reopen a reviewed or closed case.
        M("reopen", _("重新办理"), (S.FEEDBACK, S.REVIEW, S.CLOSED), ("office", "system"),
          S.DISPATCHED, needs_reason=True, via=("rate",)),
        # Dissatisfied beyond the limit: the office reviews.
        M("review", _("转办公室复核"), (S.FEEDBACK,), ("system",), S.REVIEW, via=("rate",)),
        M("close", _("结案"), (S.FEEDBACK, S.REVIEW), ("office", "system"), S.CLOSED,
          needs_reason=True),
        M("merge", _("合并重复件"),
          (S.REGISTERED, S.DISPATCHED, S.ACCEPTED, S.RETURNED, S.ESCALATED), ("office",),
          S.MERGED, needs_reason=True),
        # 呈报 (003 四): the discovering unit passes the case, with the form, to the unit
        # with enforcement power, which must act at once.
        M("report", _("呈报"), WORKING, ("lead",), S.DISPATCHED,
          guard=_step(EnforcementStep.STOP, first=_("须先完成发现、拍照、制止三步，再呈报"))),
        # A joint conference's decision settles the case (meetings app).
        M("decide_close", _("按会议决定结案"), tuple(OPEN_STATES), ("conference",), S.CLOSED),
        # A mass incident (an unplanned outage, parties app) is over: the cases the duty
        # catalog puts on its utility are handled with the restoration as their result.
        M("incident_handle", _("突发事件恢复办结"), (S.DISPATCHED, S.ACCEPTED, S.IN_PROGRESS),
          ("incident",), S.HANDLED),
        M("decide_return", _("按会议决定交回办理"),
          (S.REGISTERED, S.RETURNED, S.ESCALATED, S.SUSPENDED, S.REVIEW), ("conference",),
          S.DISPATCHED, needs_reason=True),
    )
}  # fmt: skip

Op = Rule
TASK_STATES = (S.REGISTERED, S.DISPATCHED, S.ACCEPTED, S.IN_PROGRESS, S.SUSPENDED, S.ESCALATED)
OPS: dict[str, Rule] = {
    o.name: o
    for o in (
        # 联合执法: the lead unit goes first and calls assisting units (003 三(四)).
        Op("joint", _("联合执法"), (S.DISPATCHED, S.ACCEPTED, S.IN_PROGRESS), ("lead", "office"),
          guard=_has_lead, is_move=False),
        # 街道吹哨、部门报到 (001 三(二), 002 (二)第四条).
        Op("whistle", _("街道吹哨"), TASK_STATES, ("street",), guard=_whistle, is_move=False),
        # Obstruction of officers: the police are called (003 三(五)).
        Op("police", _("通知公安"), WORKING, ("lead", "assist", "office"),
          needs_reason=True, guard=_police_nearby, is_move=False),
        Op("task_checkin", _("报到"), TASK_STATES, ("assist",), guard=_pending_task,
          is_move=False),
        Op("task_done", _("完成协办任务"), tuple(OPEN_STATES), ("assist",), guard=_open_task,
          is_move=False),
        # The six steps of 003 四: 发现 (at intake) → 拍照 → 制止 → 呈报 (a move) → …
        # Scene photos at any step; the first ones complete 拍照.
        Op("photo", _("拍照取证"), WORKING, ("lead",),
           guard=_step(*EnforcementStep.values[:-1], first=_("处置程序已结案")), is_move=False),
        Op("stop", _("现场制止"), WORKING, ("lead",),
          guard=_step(EnforcementStep.PHOTO,
                      first=_("请先拍照取证（至少一张现场照片），再记录制止情况")),
          is_move=False),
        Op("opinion", _("呈报表签署意见"), NOT_MERGED, ("lead", "office"), guard=_may_sign,
          is_move=False),
        Op("attach", _("上传附件"), tuple(OPEN_STATES), ("office", "lead", "assist", "reporter"),
          is_move=False),
        Op("callback", _("回访"), NOT_MERGED, ("office",), needs_reason=True, is_move=False),
        Op("publish", _("审定公示摘要"), NOT_MERGED, ("office",), is_move=False),
        Op("appeal", _("评价申诉"), NOT_MERGED, ("lead",), needs_reason=True, guard=_may_appeal,
          is_move=False),
        Op("appeal_decide", _("裁定评价申诉"), NOT_MERGED, ("office",), needs_reason=True,
          guard=_appeal_pending, is_move=False),
    )
}  # fmt: skip
RULES: dict[str, Rule] = {**MOVES, **OPS}


# --- asking the table -----------------------------------------------------------------------


def state_refusal(rule: Rule, case: Case) -> str | None:
    if case.state in rule.states:
        return None
    return str(
        _("案件当前状态为“%(state)s”，不能%(what)s")
        % {"state": State(case.state).label, "what": rule.label}
    )


def side_for(rule: Rule, ctx: Ctx, *, via: str | None = None) -> str | None:
    """The side the user acts on for ``rule`` (first in the rule's order), or None."""
    sides = rule.sides
    if via is not None and via in rule.via:
        sides = RULES[via].sides
    return next((s for s in sides if ctx.has_side(s)), None)


def refusal(name: str, ctx: Ctx) -> str | None:
    """Why the user of ``ctx`` may not do ``name`` now; None when they may."""
    rule = RULES.get(name)
    if rule is None:
        return str(_("未知操作“%(name)s”") % {"name": name})
    side = side_for(rule, ctx)
    if side is None:
        return str(_("您无权对该案件执行此操作"))
    why = state_refusal(rule, ctx.case)
    if why is None and rule.guard is not None:
        found = rule.guard(ctx, side)
        why = str(found) if found else None
    return why


def require(name: str, ctx: Ctx, *, via: str | None = None, reason: str | None = None) -> str:
    """Check ``name`` for the user of ``ctx`` and return the side they act on; raise
    PermissionDenied (403) for a user on no side of it, DomainError (400) for a wrong
    state or an unmet condition, InvalidInput (422) for a missing reason."""
    from gongzhi.common.errors import FieldError, InvalidInput

    rule = RULES.get(name)
    if rule is None:
        raise DomainError(str(_("未知操作“%(name)s”") % {"name": name}))
    side = side_for(rule, ctx, via=via)
    if side is None:
        if ctx.viewer is None and ctx.link is None:
            raise PermissionDenied(str(_("该操作不能由系统自动执行")))
        raise PermissionDenied(str(_("您无权对该案件执行此操作")))
    why = state_refusal(rule, ctx.case)
    if why is not None:
        raise DomainError(why, code="bad_state")
    if rule.guard is not None:
        found = rule.guard(ctx, side)
        if found:
            raise DomainError(str(found), code="not_now")
    if rule.needs_reason and reason is not None and not reason.strip():
        raise InvalidInput(
            errors=[FieldError("reason", str(_("%(what)s须填写理由") % {"what": rule.label}))]
        )
    return side


def offered(ctx: Ctx) -> list[str]:
    """Every rule the user of ``ctx`` may apply now, in table order."""
    return [name for name in RULES if refusal(name, ctx) is None]


def move_for(name: str) -> Rule | None:
    return MOVES.get(name)
