"""The one registry of what a user can do to joint conferences, through a page or the API:
for each action its name, the kind of object it acts on, its input schema (schemas.py),
the service it runs, its label, its form template and its success message.

Whether an action is offered to a user on an object now is ``access.RULES`` under the
same name (``access.allowed`` lists them for the API, pages show the form exactly then,
and the service refuses otherwise). The doors parse input with the action's schema —
JSON by ninja, forms by ``parse_form`` — and call ``run``; nothing else."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from django.http import QueryDict
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from ninja import Schema
from pydantic import ValidationError

from gongzhi.cases.models import Case
from gongzhi.common.actions import Action, Files, Registry, form_input
from gongzhi.common.errors import FieldError, InvalidInput, pydantic_field_errors
from gongzhi.meetings import access
from gongzhi.meetings import schemas as si
from gongzhi.meetings import services as s
from gongzhi.meetings.models import Meeting, Topic
from gongzhi.org.models import BodyMember, Estate, Person, Unit


@dataclass(frozen=True)
class MeetingsAction(Action[Any]):
    """An action of this app: ``on`` is the kind of object (access.KINDS); ``say`` words
    the success message from the result, ``goto`` is where a page goes next."""

    on: str = ""
    say: Callable[[Any], str] | None = None
    goto: Callable[[Any], str] | None = None

    def message(self, result: Any) -> str:
        return self.say(result) if self.say is not None else str(self.done or self.label)


# ---------------------------------------------------------------- ids to objects


def _missing(field: str, what: str) -> InvalidInput:
    return InvalidInput(errors=[FieldError(field, gettext("所选%(what)s不存在") % {"what": what})])


def _one(model: Any, pk: int | None, field: str, what: str) -> Any:
    if pk is None:
        return None
    found = model.objects.filter(pk=pk).first()
    if found is None:
        raise _missing(field, what)
    return found


def _units(ids: Sequence[int], field: str) -> list[Unit]:
    found = list(Unit.objects.filter(pk__in=ids))
    if len(found) != len(set(ids)):
        raise _missing(field, gettext("单位"))
    return found


def _cases(ids: Sequence[int]) -> list[Any]:
    """Cases by id; one that does not exist gets the answer of one the actor may not
    link (services/topics.case_errors), so the answer tells nothing about other areas."""
    found = list(Case.objects.filter(pk__in=ids).select_related("estate__community"))
    if len(found) != len(set(ids)):
        raise InvalidInput(errors=[FieldError("case_ids", gettext("所选案件不存在或无权关联"))])
    return found


def _estates(codes: Sequence[str]) -> list[Estate]:
    found = list(Estate.objects.filter(code__in=codes).select_related("community"))
    if len(found) != len(set(codes)):
        raise _missing("estate_codes", gettext("小区"))
    return found


# ---------------------------------------------------------------- runners


def _schedule_set(body: Any, actor: Any, d: si.ScheduleIn, f: Files) -> Any:
    return s.schedule_set(body=body, actor=actor, **d.model_dump())


def _meetings_plan(body: Any, actor: Any, d: si.PlanIn, f: Files) -> Any:
    return s.meetings_plan(body=body, start=d.start, end=d.end, actor=actor)


def _meeting_create(body: Any, actor: Any, d: si.MeetingIn, f: Files) -> Any:
    return s.meeting_create(
        body=body,
        kind=d.kind,
        starts_at=d.starts_at,
        place=d.place,
        title=d.title,
        units=_units(d.unit_ids, "unit_ids"),
        actor=actor,
    )


def _topic_propose(body: Any, actor: Any, d: si.TopicIn, f: Files) -> Any:
    attachments = f.get("attachment") or [None]
    return s.topic_propose(
        body=body,
        unit=_one(Unit, d.unit_id, "unit_id", gettext("单位")),
        title=d.title,
        background=d.background,
        ask=d.ask,
        estates=_estates(d.estate_codes),
        cases=_cases(d.case_ids),
        attachment=attachments[0],
        actor=actor,
    )


def _topic_from_cases(body: Any, actor: Any, d: si.CasesTopicIn, f: Files) -> Any:
    return s.topic_from_cases(
        body=body, cases=_cases(d.case_ids), actor=actor, title=d.title, ask=d.ask
    )


def _body_member_change(body: Any, actor: Any, d: si.MemberIn, f: Files) -> Any:
    return s.body_member_change(
        body=body,
        role=d.role,
        unit=_one(Unit, d.unit_id, "unit_id", gettext("单位")),
        person_name=d.person_name,
        title=d.title,
        replaces=_one(BodyMember, d.replaces_id, "replaces_id", gettext("成员")),
        start_date=d.start_date,
        reason=d.reason,
        actor=actor,
    )


def _meeting_notice(meeting: Any, actor: Any, d: si.EmptyIn, f: Files) -> Any:
    return s.meeting_notice_send(meeting=meeting, actor=actor)


def _invitation_add(meeting: Any, actor: Any, d: si.InvitationIn, f: Files) -> Any:
    return s.invitation_add(
        meeting=meeting,
        role=d.role,
        unit=_one(Unit, d.unit_id, "unit_id", gettext("单位")),
        name=d.name,
        actor=actor,
    )


def _meeting_cancel(meeting: Any, actor: Any, d: si.ReasonIn, f: Files) -> Any:
    return s.meeting_cancel(meeting=meeting, reason=d.reason, actor=actor)


def _attendance_record(meeting: Any, actor: Any, d: si.AttendanceIn, f: Files) -> Any:
    rows = [s.AttendanceRow(r.invitation_id, r.status, r.attendee_id, r.note) for r in d.rows]
    return s.attendance_record(meeting=meeting, rows=rows, actor=actor)


def _minutes_save(meeting: Any, actor: Any, d: si.MinutesIn, f: Files) -> Any:
    return s.minutes_save(
        meeting=meeting,
        summary=d.summary,
        is_public=d.is_public,
        items=[s.MinutesItemIn(**i.model_dump()) for i in d.items],
        actor=actor,
    )


def _minutes_sign(meeting: Any, actor: Any, d: si.EmptyIn, f: Files) -> Any:
    return s.minutes_sign(meeting=meeting, actor=actor)


def _minutes_return(meeting: Any, actor: Any, d: si.ReasonIn, f: Files) -> Any:
    return s.minutes_return(meeting=meeting, actor=actor, reason=d.reason)


def _minutes_send(meeting: Any, actor: Any, d: si.EmptyIn, f: Files) -> Any:
    return s.minutes_send(meeting=meeting, actor=actor)


def _decision_add(meeting: Any, actor: Any, d: si.DecisionIn, f: Files) -> Any:
    return s.decision_add(
        meeting=meeting,
        topic=_one(Topic, d.topic_id, "topic_id", gettext("议题")),
        title=d.title,
        required_outcome=d.required_outcome,
        responsible_unit=_one(Unit, d.responsible_unit_id, "responsible_unit_id", gettext("单位")),
        cooperating_units=_units(d.cooperating_unit_ids, "cooperating_unit_ids"),
        due_date=d.due_date,
        cases=_cases(d.case_ids),
        closes_cases=d.closes_cases,
        case_instructions=d.case_instructions,
        actor=actor,
    )


def _topic_review(topic: Any, actor: Any, d: si.ReviewIn, f: Files) -> Any:
    return s.topic_review(topic=topic, approve=d.approve, reason=d.reason, actor=actor)


def _topic_schedule(topic: Any, actor: Any, d: si.ScheduleTopicIn, f: Files) -> Any:
    meeting = _one(Meeting, d.meeting_id, "meeting_id", gettext("会议"))
    return s.topic_schedule(topic=topic, meeting=meeting, actor=actor)


def _topic_unschedule(topic: Any, actor: Any, d: si.EmptyIn, f: Files) -> Any:
    return s.topic_unschedule(topic=topic, actor=actor)


def _leave_request(invitation: Any, actor: Any, d: si.LeaveIn, f: Files) -> Any:
    return s.leave_request(
        invitation=invitation,
        reason=d.reason,
        substitute=_one(Person, d.substitute_id, "substitute_id", gettext("人员")),
        actor=actor,
    )


def _leave_decide(leave: Any, actor: Any, d: si.ReviewIn, f: Files) -> Any:
    return s.leave_decide(leave=leave, approve=d.approve, reason=d.reason, actor=actor)


def _leave_file(leave: Any, actor: Any, d: si.EmptyIn, f: Files) -> Any:
    return s.leave_file(leave=leave, actor=actor)


def _decision_progress(decision: Any, actor: Any, d: si.TextIn, f: Files) -> Any:
    return s.decision_progress_report(decision=decision, text=d.text, actor=actor)


def _decision_complete(decision: Any, actor: Any, d: si.OutcomeIn, f: Files) -> Any:
    return s.decision_complete(decision=decision, outcome=d.outcome, actor=actor)


def _decision_escalate(decision: Any, actor: Any, d: si.ReasonIn, f: Files) -> Any:
    return s.decision_escalate(decision=decision, reason=d.reason, actor=actor)


def _inbox_read(inbox: Any, actor: Any, d: si.InboxReadIn, f: Files) -> Any:
    return s.inbox_read(actor=actor, ids=d.ids)


# ---------------------------------------------------------------- the registry


def _topic_page(topic: Topic) -> str:
    return f"/meetings/topics/{topic.pk}/"


REGISTRY: Registry[Any] = Registry("meetings")
A = REGISTRY.add
T = "meetings/actions/{}.html"

# a body
A(
    MeetingsAction(
        "schedule_set",
        _("设置会议周期"),
        si.ScheduleIn,
        _schedule_set,
        on="body",
        template=T.format("schedule_set"),
        done=_("会议周期已保存"),
    )
)
A(
    MeetingsAction(
        "meetings_plan",
        _("按周期生成例会"),
        si.PlanIn,
        _meetings_plan,
        on="body",
        template=T.format("meetings_plan"),
        say=lambda r: gettext("已生成 %(len)s 次例会") % {"len": len(r)},
    )
)
A(
    MeetingsAction(
        "meeting_create",
        _("安排临时会议"),
        si.MeetingIn,
        _meeting_create,
        on="body",
        template=T.format("meeting_create"),
        done=_("会议已安排"),
        goto=lambda m: f"/meetings/m/{m.pk}/",
    )
)
A(
    MeetingsAction(
        "topic_propose",
        _("提出议题"),
        si.TopicIn,
        _topic_propose,
        on="body",
        files=("attachment",),
        template=T.format("topic_propose"),
        done=_("议题已提交，等待召集人批准"),
        goto=_topic_page,
    )
)
A(
    MeetingsAction(
        "topic_from_cases",
        _("将案件提为议题"),
        si.CasesTopicIn,
        _topic_from_cases,
        on="body",
        template=T.format("topic_from_cases"),
        say=lambda t: gettext("已提出议题“%(title)s”，待召集人批准") % {"title": t.title},
        goto=_topic_page,
    )
)
A(
    MeetingsAction(
        "body_member_change",
        _("登记成员变更"),
        si.MemberIn,
        _body_member_change,
        on="body",
        template=T.format("body_member_change"),
        done=_("成员变更已登记"),
    )
)
# a meeting
A(
    MeetingsAction(
        "meeting_notice",
        _("发出会议通知"),
        si.EmptyIn,
        _meeting_notice,
        on="meeting",
        template=T.format("meeting_notice"),
        done=_("会议通知已发出"),
    )
)
A(
    MeetingsAction(
        "invitation_add",
        _("邀请参会或列席"),
        si.InvitationIn,
        _invitation_add,
        on="meeting",
        template=T.format("invitation_add"),
        done=_("已加入参会名单"),
    )
)
A(
    MeetingsAction(
        "meeting_cancel",
        _("取消会议"),
        si.ReasonIn,
        _meeting_cancel,
        on="meeting",
        template=T.format("meeting_cancel"),
        done=_("会议已取消"),
    )
)
A(
    MeetingsAction(
        "attendance_record",
        _("登记出席"),
        si.AttendanceIn,
        _attendance_record,
        on="meeting",
        template=T.format("attendance_record"),
        done=_("出席情况已登记"),
    )
)
A(
    MeetingsAction(
        "minutes_save",
        _("起草会议纪要"),
        si.MinutesIn,
        _minutes_save,
        on="meeting",
        template=T.format("minutes_save"),
        done=_("纪要已保存"),
    )
)
A(
    MeetingsAction(
        "decision_add",
        _("登记议定事项"),
        si.DecisionIn,
        _decision_add,
        on="meeting",
        template=T.format("decision_add"),
        done=_("议定事项已登记"),
    )
)
A(
    MeetingsAction(
        "minutes_sign",
        _("召集人审签纪要"),
        si.EmptyIn,
        _minutes_sign,
        on="meeting",
        template=T.format("minutes_sign"),
        done=_("纪要已审签"),
    )
)
A(
    MeetingsAction(
        "minutes_return",
        _("退回纪要修改"),
        si.ReasonIn,
        _minutes_return,
        on="meeting",
        template=T.format("minutes_return"),
        done=_("纪要已退回修改"),
    )
)
A(
    MeetingsAction(
        "minutes_send",
        _("分送会议纪要"),
        si.EmptyIn,
        _minutes_send,
        on="meeting",
        template=T.format("minutes_send"),
        done=_("纪要已分送各参会单位和有关单位"),
    )
)
# a topic
A(
    MeetingsAction(
        "topic_review",
        _("审批议题"),
        si.ReviewIn,
        _topic_review,
        on="topic",
        template=T.format("topic_review"),
        say=lambda t: (
            gettext("议题“%(title)s”：%(get_state_display)s")
            % {"title": t.title, "get_state_display": t.get_state_display()}
        ),
    )
)
A(
    MeetingsAction(
        "topic_schedule",
        _("列入会议议程"),
        si.ScheduleTopicIn,
        _topic_schedule,
        on="topic",
        template=T.format("topic_schedule"),
        done=_("已列入议程"),
    )
)
A(
    MeetingsAction(
        "topic_unschedule",
        _("移出议程"),
        si.EmptyIn,
        _topic_unschedule,
        on="topic",
        template=T.format("topic_unschedule"),
        done=_("已移出议程"),
    )
)
# an invitation, a leave request
A(
    MeetingsAction(
        "leave_request",
        _("请假并指定代会人员"),
        si.LeaveIn,
        _leave_request,
        on="invitation",
        template=T.format("leave_request"),
        done=_("请假申请已提交，等待召集人批准"),
    )
)
A(
    MeetingsAction(
        "leave_decide",
        _("批准或不批准请假"),
        si.ReviewIn,
        _leave_decide,
        on="leave",
        template=T.format("leave_decide"),
        done=_("请假申请已处理"),
    )
)
A(
    MeetingsAction(
        "leave_file",
        _("请假备案"),
        si.EmptyIn,
        _leave_file,
        on="leave",
        template=T.format("leave_file"),
        done=_("请假已备案"),
    )
)
# a decision
A(
    MeetingsAction(
        "decision_progress",
        _("报告进展"),
        si.TextIn,
        _decision_progress,
        on="decision",
        template=T.format("decision_progress"),
        done=_("进展已报告"),
    )
)
A(
    MeetingsAction(
        "decision_complete",
        _("报告办结"),
        si.OutcomeIn,
        _decision_complete,
        on="decision",
        template=T.format("decision_complete"),
        done=_("已报告办结"),
    )
)
A(
    MeetingsAction(
        "decision_escalate",
        _("逾期事项提请上级"),
        si.ReasonIn,
        _decision_escalate,
        on="decision",
        template=T.format("decision_escalate"),
        say=lambda t: gettext("已提请%(name)s研究") % {"name": t.body.name},
        goto=_topic_page,
    )
)
# the account's inbox
A(
    MeetingsAction(
        "inbox_read",
        _("标为已读"),
        si.InboxReadIn,
        _inbox_read,
        on="inbox",
        template=T.format("inbox_read"),
        say=lambda n: gettext("已将 %(n)s 条消息标为已读") % {"n": n},
    )
)


def action(name: str) -> MeetingsAction:
    found = REGISTRY.get(name)
    if not isinstance(found, MeetingsAction):
        raise KeyError(name)
    return found


def parse_form(act: MeetingsAction, data: QueryDict) -> Schema:
    """A page's POST, validated with the action's schema exactly as the API validates
    JSON; a schema with a table of rows says how the form's fields make its rows."""
    shape = getattr(act.input, "from_form", None)
    if shape is None:
        return form_input(act.input, data)  # type: ignore[no-any-return]
    try:
        return act.input.model_validate(shape(data))
    except ValidationError as exc:
        raise InvalidInput(errors=pydantic_field_errors(exc.errors())) from exc


def run(name: str, obj: Any, actor: Any, data: Schema, files: Files | None = None) -> Any:
    """Run an action on an object with validated input: the one path of every door."""
    act = action(name)
    if access.kind_of(obj) != act.on:
        raise TypeError(f"{name} acts on a {act.on}, not on {obj!r}")
    return act.run(obj, actor, data, files or {})
