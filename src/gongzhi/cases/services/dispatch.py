"""Getting a case to the unit responsible: dispatch, accept, first response, return and
the office's ruling on it, transfer and its ruling, escalation level by level, and the
top level's supervision."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Any, Unpack

from django.db import transaction
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise

from gongzhi.cases import access, workflow
from gongzhi.cases.models import Accountability, Case, State
from gongzhi.cases.services.events import (
    Notice,
    Stamp,
    accountability,
    notify,
    now_or,
    setting,
    when,
)
from gongzhi.cases.services.intake import limits, route_for
from gongzhi.cases.services.transition import case_transition, check_version
from gongzhi.catalog.models import MatterType
from gongzhi.catalog.routing import handling_level
from gongzhi.catalog.selectors import matter_lookup
from gongzhi.catalog.timelimits import due_after
from gongzhi.catalog.training import training_example_record
from gongzhi.common.errors import DomainError, FieldError, InvalidInput
from gongzhi.org.models import Jurisdiction, Unit

# 003 三(四): a case passed on must be acted on at once by the receiver.
TRANSFER_ACCEPT_LIMIT = "2wh"
# How long an office has to settle a case escalated to it before it climbs again, by
# level, when the case's matter names no limit (004 三(四)); GONGZHI_ESCALATION_LIMITS
# overrides any of them.
ESCALATION_LIMITS = {
    Jurisdiction.Level.COMMUNITY: "3wd",
    Jurisdiction.Level.VILLAGE: "3wd",
    Jurisdiction.Level.STREET: "5wd",
    Jurisdiction.Level.TOWN: "5wd",
    Jurisdiction.Level.DISTRICT: "10wd",
    Jurisdiction.Level.COUNTY: "10wd",
    Jurisdiction.Level.CITY: "15wd",
    Jurisdiction.Level.PROVINCE: "15wd",
}


def begin(case: Case, move: str, actor: Any, at: Stamp) -> tuple[workflow.Ctx, dt.datetime]:
    """Before reading a write's input: a stale page is a conflict (409), a user on no side
    is refused (403), a wrong state or unmet condition is refused (400). Returns the case
    as the actor sees it, and the moment. (The write itself is then conditional on the
    version read, so no one else's change is lost in between.)"""
    now, expected_version = when(at)
    check_version(case, expected_version)
    ctx = workflow.Ctx(case, actor)
    workflow.require(move, ctx)
    return ctx, now


def required(value: str, field: str, message: str) -> str:
    """The text of a field that must not be empty (or a field error)."""
    if not value.strip():
        raise InvalidInput(errors=[FieldError(field, message)])
    return value.strip()


UNIT_LABEL = gettext_lazy("单位")


def target(
    case: Case, code: Unit | str | None, field: str, *, label: StrOrPromise = UNIT_LABEL
) -> Unit:
    """A unit the case may be sent to: one that serves its estate (issue 8 defect 2);
    any other code is answered as if it did not exist."""
    if not code:
        raise InvalidInput(errors=[FieldError(field, _("请选择%(label)s") % {"label": label})])
    unit = access.target_unit(case.estate, code)
    if unit is None:
        label = code.code if isinstance(code, Unit) else code
        raise InvalidInput(
            errors=[
                FieldError(field, _("单位编码“%(label)s”不存在或不服务该小区") % {"label": label})
            ]
        )
    return unit


def dispatch_changes(
    case: Case, unit: Unit, matter: MatterType | None, now: dt.datetime
) -> dict[str, Any]:
    changes: dict[str, Any] = {
        "lead_unit": unit,
        "level": handling_level(case.estate, unit),
        "dispatched_at": now,
        "accepted_at": None,
        "responded_at": None,
        "warned_at": None,
        "breached_at": None,
    }
    changes.update(limits(matter, now))
    return changes


def case_dispatch(
    *,
    case: Case,
    actor: Any,
    unit: Unit | str | None = None,
    matter_code: str = "",
    reason: str = "",
    **at: Unpack[Stamp],
) -> Case:
    """The office dispatches a case from its desk: by matter type (the catalog names the
    unit) or to a named unit serving the estate."""
    ctx, now = begin(case, "dispatch", actor, at)
    matter = case.matter
    reasons: list[str] = []
    chosen = target(case, unit, "unit") if unit else None
    if matter_code:
        routed = route_for(case.estate, matter_code)
        if routed is None:
            raise InvalidInput(
                errors=[
                    FieldError(
                        "matter_code",
                        _("该小区适用的职责清单中没有事项“%(matter_code)s”")
                        % {"matter_code": matter_code},
                    )
                ]
            )
        matter, result = routed
        reasons = result.reasons
        if chosen is None:
            chosen = result.lead
    if chosen is None:
        raise InvalidInput(errors=[FieldError("unit", _("请选择事项或责任单位"))])
    changes = dispatch_changes(case, chosen, matter, now)
    changes["matter"] = matter
    if reasons:
        changes["route_reasons"] = reasons
    with transaction.atomic():
        done = case_transition(
            case=case,
            move="dispatch",
            actor=actor,
            reason=reason or "；".join(reasons),
            changes=changes,
            event_unit_id=chosen.pk,
            extra={"matter": matter.code if matter else ""},
            ctx=ctx,
            now=now,
            notices=[Notice.about(case, "dispatch", _("新派单：%(title)s"), unit_id=chosen.pk)],
        )
        if matter_code and matter is not None:
            # The office confirmed or corrected the matter: the classifier learns it.
            _learn(case, matter.code, "dispatch")
    return done


def _learn(case: Case, matter_code: str, source: str) -> None:
    """The case's words and the matter the office settled on become a training example of
    the classifier (catalog.training), in the ruling's transaction."""
    training_example_record(
        estate=case.estate,
        text=f"{case.title} {case.description}",
        matter_code=matter_code,
        source=source,
        case_number=case.number,
    )


def case_accept(*, case: Case, actor: Any, **at: Unpack[Stamp]) -> Case:
    """签收: the unit takes the case (on time or not, for its metrics)."""
    return _clock_stop(case, "accept", actor, "accepted_at", case.accept_due_at, "", at)


def case_start(*, case: Case, actor: Any, reason: str = "", **at: Unpack[Stamp]) -> Case:
    """First response: on site or in contact with the reporter."""
    return _clock_stop(case, "start", actor, "responded_at", case.response_due_at, reason, at)


def _clock_stop(
    case: Case, move: str, actor: Any, field: str, due: Any, reason: str, at: Stamp
) -> Case:
    now, expected_version = when(at)
    return case_transition(
        case=case,
        move=move,
        actor=actor,
        reason=reason.strip(),
        changes={field: now},
        event_unit_id=case.lead_unit_id,
        extra={"on_time": due is None or now <= due},
        expected_version=expected_version,
        now=now,
    )


def case_return(
    *,
    case: Case,
    actor: Any,
    reason: str,
    claimed_matter_code: str,
    **at: Unpack[Stamp],
) -> Case:
    """退回: the unit says the case is not its own; it must name the catalog entry it
    believes applies. The case goes back to the office's desk."""
    ctx, now = begin(case, "return", actor, at)
    errors = []
    if not reason.strip():
        errors.append(FieldError("reason", _("退回须说明理由")))
    code = claimed_matter_code.strip()
    if not code:
        errors.append(FieldError("claimed_matter_code", _("请写明您认为适用的职责清单事项编码")))
    elif matter_lookup(case.estate.community, code) is None:
        errors.append(
            FieldError("claimed_matter_code", _("职责清单中没有事项“%(code)s”") % {"code": code})
        )
    if errors:
        raise InvalidInput(errors=errors)
    returned_by = case.lead_unit_id
    return case_transition(
        case=case,
        move="return",
        actor=actor,
        reason=reason.strip(),
        changes={
            "return_count": case.return_count + 1,
            "accept_due_at": None,
            "response_due_at": None,
            "resolve_due_at": None,
        },
        event_unit_id=returned_by,
        extra={"claimed_matter": code, "returned_by": returned_by},
        ctx=ctx,
        now=now,
        notices=[
            Notice.about(
                case, "returned", _("退回待裁定：%(title)s"), jurisdiction_id=case.level_id
            )
        ],
    )


def case_overrule(*, case: Case, actor: Any, reason: str, **at: Unpack[Stamp]) -> Case:
    """The office rules a returned case was the returning unit's own: it goes back to
    that unit with fresh limits and a buck-passing record (003 四, 004 四(一))."""
    ctx, now = begin(case, "overrule", actor, at)
    last = case.events.filter(action="return").order_by("-id").first()
    if last is None or not last.unit_id:
        raise DomainError(_("找不到退回记录"))
    unit = Unit.objects.select_related("kind", "jurisdiction").get(pk=last.unit_id)
    with transaction.atomic():
        done = _hand_back(
            ctx,
            "overrule",
            unit,
            reason,
            _("退回不成立"),
            key=f"buck:{case.pk}:{last.pk}",
            now=now,
        )
        if case.matter is not None:
            # The matter stands against the unit's claim: a confirmed example.
            _learn(case, case.matter.code, "overrule")
    return done


def case_transfer(
    *,
    case: Case,
    actor: Any,
    to_unit: Unit | str,
    reason: str,
    **at: Unpack[Stamp],
) -> Case:
    """转办: pass the case straight to the unit responsible (003 三(四)); it must act at
    once (a short acceptance limit), and the result goes back to the transferring unit
    (004 三(二))."""
    ctx, now = begin(case, "transfer", actor, at)
    chosen = target(case, to_unit, "to_unit", label=_("接收单位"))
    if chosen.pk == case.lead_unit_id:
        raise InvalidInput(errors=[FieldError("to_unit", _("不能转办给本单位"))])
    from_unit = case.lead_unit_id
    changes = dispatch_changes(case, chosen, case.matter, now)
    changes["accept_due_at"] = due_after(now, TRANSFER_ACCEPT_LIMIT)
    changes["transferred_from_id"] = from_unit
    return case_transition(
        case=case,
        move="transfer",
        actor=actor,
        reason=reason,
        changes=changes,
        event_unit_id=chosen.pk,
        extra={"from_unit": from_unit, "to_unit": chosen.pk},
        ctx=ctx,
        now=now,
        notices=[
            Notice.about(case, "transfer", _("转办件，请立即处理：%(title)s"), unit_id=chosen.pk)
        ],
    )


def case_rule_transfer(*, case: Case, actor: Any, reason: str, **at: Unpack[Stamp]) -> Case:
    """The office rules a transferred case was the transferring unit's own: it goes back
    to that unit, which gets a buck-passing record."""
    ctx, now = begin(case, "rule_transfer", actor, at)
    assert case.transferred_from_id is not None  # the rule's guard
    unit = Unit.objects.select_related("kind", "jurisdiction").get(pk=case.transferred_from_id)
    last = case.events.filter(action__in=("transfer", "report")).order_by("-id").first()
    key = f"buck:{case.pk}:{last.pk if last else 0}:transfer"
    return _hand_back(
        ctx, "rule_transfer", unit, reason, _("转办不成立"), key=key, now=now,
        changes={"transferred_from_id": None},
    )  # fmt: skip


def _hand_back(
    ctx: workflow.Ctx,
    move: str,
    unit: Unit,
    reason: str,
    ruling: str,
    *,
    key: str,
    now: dt.datetime,
    changes: dict[str, Any] | None = None,
) -> Case:
    """The office's ruling that a case was ``unit``'s own after all: back to it with
    fresh limits and a buck-passing record (003 四, 004 四(一)), once per ``key``."""
    case = ctx.case
    with transaction.atomic():
        case_transition(
            case=case,
            move=move,
            actor=ctx.actor,
            reason=reason,
            changes={**dispatch_changes(case, unit, case.matter, now), **(changes or {})},
            event_unit_id=unit.pk,
            ctx=ctx,
            now=now,
            notices=[
                Notice(
                    "overruled",
                    _("%(ruling)s，请办理：%(title)s") % {"ruling": ruling, "title": case.title},
                    unit_id=unit.pk,
                )
            ],
        )
        kind = Accountability.Kind.BUCK_PASSING
        accountability(case, unit.pk, kind, f"{ruling}：{reason}", key=key, now=now)
    return case


def escalation_limit(case: Case, level: Jurisdiction) -> str:
    limits_by_level = {**ESCALATION_LIMITS, **setting("GONGZHI_ESCALATION_LIMITS", {})}
    if case.matter_id and case.matter is not None and case.matter.time_limit:
        return str(case.matter.time_limit)
    return str(limits_by_level.get(level.level, "10wd"))


def case_escalate(
    *,
    case: Case,
    actor: Any,
    reason: str,
    breach: str = "",
    **at: Unpack[Stamp],
) -> Case:
    """逐级上报 (004 三(四)): the case goes to the office one level up — community →
    street → district/county → city — with that level's limit to settle it; the sweep
    escalates again when that limit passes, up to the top level, which supervises."""
    ctx, now = begin(case, "escalate", actor, at)
    parent = ctx.office_above
    assert parent is not None  # the rule's guard
    extra: dict[str, Any] = {"from_level": case.level_id, "to_level": parent.pk}
    changes: dict[str, Any] = {
        "level": parent,
        "escalation_count": case.escalation_count + 1,
        "accept_due_at": None,
        "response_due_at": None,
        "resolve_due_at": due_after(now, escalation_limit(case, parent)),
        "warned_at": None,
    }
    if breach:
        extra["breach"] = breach
        changes["breached_at"] = now
    return case_transition(
        case=case,
        move="escalate",
        actor=actor,
        reason=reason,
        changes=changes,
        event_unit_id=case.lead_unit_id,
        extra=extra,
        ctx=ctx,
        now=now,
        notices=[
            Notice.about(case, "escalated", _("下级上报：%(title)s"), jurisdiction_id=parent.pk)
        ],
    )


def case_supervise(*, case: Case, breach: str, now: dt.datetime | None = None) -> bool:
    """No office above a breached case: the office of its level supervises it (督办).
    The breached clock is cleared so the next sweep does not repeat this; False when
    someone changed the case meanwhile."""
    from django.db.models import F

    from gongzhi.cases.services.events import event

    now = now_or(now)
    cleared = "accept_due_at" if breach == "签收" else "resolve_due_at"  # i18n: data
    with transaction.atomic():
        if not Case.objects.filter(pk=case.pk, version=case.version).update(
            breached_at=now, **{cleared: None}, version=F("version") + 1, updated_at=now
        ):
            return False
        case.version += 1
        setattr(case, cleared, None)
        case.breached_at = now
        unit_id = case.lead_unit_id
        event(
            case,
            "supervise",
            unit_id=unit_id,
            from_state=case.state,
            to_state=case.state,
            reason=_("超过%(breach)s时限，由%(name)s联席会议办公室督办")
            % {
                "breach": _("签收") if cleared == "accept_due_at" else _("办结"),
                "name": case.level.name,
            },
            extra={"breach": breach},
            now=now,
        )
        notify(
            now,
            case,
            "breach",
            _("超时督办：%(title)s") % {"title": case.title},
            jurisdiction_id=case.level_id,
        )
        if unit_id and case.state != State.ESCALATED:
            notify(
                now,
                case,
                "breach",
                _("已超时，请立即办理：%(title)s") % {"title": case.title},
                unit_id=unit_id,
            )
    return True
