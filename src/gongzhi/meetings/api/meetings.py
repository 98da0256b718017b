"""Meetings: the calendar, a meeting with its agenda, participants and decisions, the
notice, invitations, cancelling, attendance, minutes and decisions."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any

from django.http import HttpRequest
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from ninja import Query
from ninja.responses import Status

from gongzhi.common.errors import FieldError, InvalidInput, NotFound
from gongzhi.common.params import Limit, Offset, PathId
from gongzhi.common.workcal import SHANGHAI
from gongzhi.meetings import access, actions, selectors
from gongzhi.meetings import schemas as si
from gongzhi.meetings.api import out
from gongzhi.meetings.api.router import QueryId, actor, answers, router, who
from gongzhi.meetings.models import Minutes
from gongzhi.meetings.workflow import MeetingState

QueryDay = Annotated[si.Day | None, Query(None)]


@router.get("/meetings", response=answers(list[out.MeetingOut]), summary="会议日历")
def meetings(
    request: HttpRequest,
    body: QueryId = None,
    start: QueryDay = None,
    end: QueryDay = None,
    offset: Offset = 0,
    limit: Limit = 500,
) -> list[dict[str, Any]]:
    qs = selectors.visible_meetings(request.user)
    if body:
        qs = qs.filter(body_id=body)
    if start:
        qs = qs.filter(starts_at__gte=dt.datetime.combine(start, dt.time(0), tzinfo=SHANGHAI))
    if end:
        qs = qs.filter(
            starts_at__lt=dt.datetime.combine(
                end + dt.timedelta(days=1), dt.time(0), tzinfo=SHANGHAI
            )
        )
    w = who(request)
    return [out.meeting_out(m, w) for m in qs.order_by("starts_at", "pk")[offset : offset + limit]]


def _detail(request: HttpRequest, pk: int) -> dict[str, Any]:
    return out.meeting_detail_out(access.meeting_for(request.user, pk), who(request))


@router.get(
    "/meetings/{pk}",
    response=answers(out.MeetingDetailOut),
    summary="会议：议程、参会单位、议定事项",
)
def meeting_get(request: HttpRequest, pk: PathId) -> dict[str, Any]:
    return _detail(request, pk)


# Moves a meeting makes as part of another action, and the action that makes them.
_MOVED_BY = {
    MeetingState.HELD: gettext_lazy("登记出席后会议即为已召开（POST /meetings/{pk}/attendance）"),
    MeetingState.CLOSED: gettext_lazy(
        "分送纪要后会议即为纪要已印发（POST /meetings/{pk}/minutes/send）"
    ),
    MeetingState.MISSED: gettext_lazy("未按期召开由督办程序标记"),
    MeetingState.PLANNED: gettext_lazy("会议不能退回计划状态"),
}


@router.post(
    "/meetings/{pk}/transition",
    response=answers(out.MeetingDetailOut),
    summary="会议状态变更（办公室）：noticed 即发出通知，cancelled 即取消",
)
def meeting_transition(
    request: HttpRequest, pk: PathId, payload: si.TransitionIn
) -> dict[str, Any]:
    meeting = access.meeting_for(request.user, pk)
    if payload.to == MeetingState.NOTICED:
        actions.run("meeting_notice", meeting, actor(request), si.EmptyIn())
    elif payload.to == MeetingState.CANCELLED:
        actions.run("meeting_cancel", meeting, actor(request), si.ReasonIn(reason=payload.reason))
    else:
        raise InvalidInput(errors=[FieldError("to", str(_MOVED_BY[payload.to]))])
    return _detail(request, pk)


@router.post(
    "/meetings/{pk}/cancel", response=answers(out.MeetingDetailOut), summary="取消会议（办公室）"
)
def meeting_cancel(request: HttpRequest, pk: PathId, payload: si.ReasonIn) -> dict[str, Any]:
    actions.run("meeting_cancel", access.meeting_for(request.user, pk), actor(request), payload)
    return _detail(request, pk)


@router.post(
    "/meetings/{pk}/notice",
    response=answers(out.MeetingDetailOut),
    summary="发出会议通知（办公室）",
)
def meeting_notice(request: HttpRequest, pk: PathId) -> dict[str, Any]:
    actions.run(
        "meeting_notice", access.meeting_for(request.user, pk), actor(request), si.EmptyIn()
    )
    return _detail(request, pk)


@router.post(
    "/meetings/{pk}/invitations",
    response=answers(out.InvitationOut, 201),
    summary="邀请参会或列席（办公室）",
)
def invitation_add(request: HttpRequest, pk: PathId, payload: si.InvitationIn) -> Status[Any]:
    meeting = access.meeting_for(request.user, pk)
    inv = actions.run("invitation_add", meeting, actor(request), payload)
    return Status(
        201, out.invitation_out(access.invitation_for(request.user, inv.pk), who(request))
    )


@router.post(
    "/meetings/{pk}/attendance",
    response=answers(out.MeetingDetailOut),
    summary="登记出席（办公室）",
)
def attendance(request: HttpRequest, pk: PathId, payload: si.AttendanceIn) -> dict[str, Any]:
    actions.run("attendance_record", access.meeting_for(request.user, pk), actor(request), payload)
    return _detail(request, pk)


def _minutes(request: HttpRequest, pk: int) -> dict[str, Any]:
    meeting = access.meeting_for(request.user, pk)
    minutes = Minutes.objects.filter(meeting=meeting).first()
    if minutes is None or not access.minutes_readable(who(request), meeting, minutes):
        raise NotFound(_("尚无可查看的会议纪要"))
    return out.minutes_out(minutes)


@router.get("/meetings/{pk}/minutes", response=answers(out.MinutesOut), summary="会议纪要")
def minutes_get(request: HttpRequest, pk: PathId) -> dict[str, Any]:
    return _minutes(request, pk)


@router.put(
    "/meetings/{pk}/minutes", response=answers(out.MinutesOut), summary="起草会议纪要（办公室）"
)
def minutes_put(request: HttpRequest, pk: PathId, payload: si.MinutesIn) -> dict[str, Any]:
    actions.run("minutes_save", access.meeting_for(request.user, pk), actor(request), payload)
    return _minutes(request, pk)


@router.post(
    "/meetings/{pk}/minutes/sign", response=answers(out.MinutesOut), summary="审签纪要（召集人）"
)
def minutes_sign(request: HttpRequest, pk: PathId) -> dict[str, Any]:
    actions.run("minutes_sign", access.meeting_for(request.user, pk), actor(request), si.EmptyIn())
    return _minutes(request, pk)


@router.post(
    "/meetings/{pk}/minutes/return", response=answers(out.MinutesOut), summary="退回纪要（召集人）"
)
def minutes_return(request: HttpRequest, pk: PathId, payload: si.ReasonIn) -> dict[str, Any]:
    actions.run("minutes_return", access.meeting_for(request.user, pk), actor(request), payload)
    return _minutes(request, pk)


@router.post(
    "/meetings/{pk}/minutes/send", response=answers(out.MinutesOut), summary="分送纪要（办公室）"
)
def minutes_send(request: HttpRequest, pk: PathId) -> dict[str, Any]:
    actions.run("minutes_send", access.meeting_for(request.user, pk), actor(request), si.EmptyIn())
    return _minutes(request, pk)


@router.post(
    "/meetings/{pk}/decisions",
    response=answers(out.DecisionOut, 201),
    summary="登记议定事项（办公室）",
)
def decision_add(request: HttpRequest, pk: PathId, payload: si.DecisionIn) -> Status[Any]:
    meeting = access.meeting_for(request.user, pk)
    decision = actions.run("decision_add", meeting, actor(request), payload)
    return Status(
        201, out.decision_out(access.decision_for(request.user, decision.pk), who(request))
    )
