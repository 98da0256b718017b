"""The one table of allowed moves of a case. ``case_transition`` in services.py is the
only code that changes ``Case.state``; it refuses a move this table lacks.

Sides (who may make a move): ``office`` the joint-conference office that oversees the
case's level (the dispatch desk), ``lead`` the responsible unit's staff, ``reporter`` the
resident who reported it, ``system`` the deadline sweep and other services,
``conference`` a joint conference's decision on a case in its area (meetings app)."""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from gongzhi.cases.models import State

S = State


@dataclass(frozen=True)
class Move:
    name: str
    label: str | Promise
    sources: tuple[str, ...]
    target: str | None  # None: back to the state before (resume)
    sides: tuple[str, ...]
    needs_reason: bool = False


MOVES: dict[str, Move] = {
    m.name: m
    for m in (
        # Office dispatches a case from its desk to the responsible unit.
        Move("dispatch", _("分派"), (S.REGISTERED, S.RETURNED, S.ESCALATED), S.DISPATCHED,
             ("office", "system")),
        # 签收: the unit takes the case.
        Move("accept", _("签收"), (S.DISPATCHED,), S.ACCEPTED, ("lead",)),
        # First response: on site / in contact; the clock of the response limit stops.
        Move("start", _("开始办理"), (S.ACCEPTED,), S.IN_PROGRESS, ("lead",)),
        # 退回: not ours; the unit gives a reason and the catalog entry it believes applies.
        Move("return", _("退回"), (S.DISPATCHED, S.ACCEPTED), S.RETURNED, ("lead",),
             needs_reason=True),
        # 转办 directly to the unit responsible (003 三(四)).
        Move("transfer", _("转办"), (S.DISPATCHED, S.ACCEPTED, S.IN_PROGRESS), S.DISPATCHED,
             ("lead", "office"), needs_reason=True),
        # 逐级上报: to the office one level up (004 三(四)); the sweep does it on breach.
        Move("escalate", _("上报上级"),
             (S.REGISTERED, S.DISPATCHED, S.ACCEPTED, S.IN_PROGRESS, S.RETURNED, S.ESCALATED),
             S.ESCALATED, ("lead", "office", "system"), needs_reason=True),
        # The office rules on a returned case: it was the unit's own after all.
        Move("overrule", _("裁定退回不成立"), (S.RETURNED,), S.DISPATCHED, ("office",),
             needs_reason=True),
        Move("suspend", _("挂起"), (S.ACCEPTED, S.IN_PROGRESS), S.SUSPENDED, ("lead", "office"),
             needs_reason=True),
        Move("resume", _("恢复办理"), (S.SUSPENDED,), None, ("lead", "office", "system")),
        # 办结 with result and evidence; refused while an assisting task is open.
        Move("handle", _("办结"), (S.ACCEPTED, S.IN_PROGRESS), S.HANDLED, ("lead",)),
        # The office sends the result back to the reporter (or sends it back to the unit).
        Move("feedback", _("反馈诉求人"), (S.HANDLED,), S.FEEDBACK, ("office", "system")),
        Move("send_back", _("退回重办"), (S.HANDLED,), S.IN_PROGRESS, ("office",),
             needs_reason=True),
        # The reporter rates; the office may rate on a callback visit (回访).
        Move("rate", _("评价"), (S.FEEDBACK,), S.CLOSED, ("reporter", "office")),
        # Dissatisfied, within the reopen limit: back to the same unit.
        Move("reopen", _("重新办理"), (S.FEEDBACK, S.REVIEW, S.CLOSED), S.DISPATCHED,
             ("reporter", "office", "system"), needs_reason=True),
        # Dissatisfied beyond the limit: the office reviews.
        Move("review", _("转办公室复核"), (S.FEEDBACK,), S.REVIEW, ("reporter", "office", "system")),
        Move("close", _("结案"), (S.FEEDBACK, S.REVIEW), S.CLOSED, ("office", "system"),
             needs_reason=True),
        Move("merge", _("合并重复件"),
             (S.REGISTERED, S.DISPATCHED, S.ACCEPTED, S.RETURNED, S.ESCALATED), S.MERGED,
             ("office",), needs_reason=True),
        # A joint conference's decision settles the case (meetings app).
        Move("decide_close", _("按会议决定结案"),
             (S.REGISTERED, S.DISPATCHED, S.ACCEPTED, S.IN_PROGRESS, S.SUSPENDED, S.RETURNED,
              S.ESCALATED, S.HANDLED, S.FEEDBACK, S.REVIEW), S.CLOSED, ("conference",)),
        Move("decide_return", _("按会议决定交回办理"),
             (S.REGISTERED, S.RETURNED, S.ESCALATED, S.SUSPENDED, S.REVIEW), S.DISPATCHED,
             ("conference",), needs_reason=True),
    )
}  # fmt: skip


def move_for(name: str) -> Move | None:
    return MOVES.get(name)


def moves_from(state: str) -> list[Move]:
    return [m for m in MOVES.values() if state in m.sources]
