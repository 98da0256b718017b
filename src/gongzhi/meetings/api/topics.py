"""Topics, and the leave of invited units."""

from __future__ import annotations

from typing import Annotated, Any

from django.http import HttpRequest
from ninja import Query
from ninja.responses import Status
from pydantic import WithJsonSchema

from gongzhi.common.params import Limit, Offset, PathId
from gongzhi.meetings import access, actions, selectors
from gongzhi.meetings import schemas as si
from gongzhi.meetings.api import out
from gongzhi.meetings.api.router import QueryId, actor, answers, router, who
from gongzhi.meetings.services import unit_people
from gongzhi.meetings.services.core import local
from gongzhi.meetings.workflow import LeaveState, TopicState

TopicStateQuery = Annotated[
    TopicState | None,
    Query(None),
    WithJsonSchema(si.enum_schema(TopicState, "议题状态")),
]
LeaveStateQuery = Annotated[
    LeaveState | None,
    Query(None),
    WithJsonSchema(si.enum_schema(LeaveState, "请假状态")),
]


@router.get("/topics", response=answers(list[out.TopicOut]), summary="议题（可按机构、状态筛选）")
def topics(
    request: HttpRequest,
    body: QueryId = None,
    state: TopicStateQuery = None,
    offset: Offset = 0,
    limit: Limit = 500,
) -> list[dict[str, Any]]:
    qs = selectors.visible_topics(request.user).prefetch_related("estates", "cases")
    if body:
        qs = qs.filter(body_id=body)
    if state:
        qs = qs.filter(state=state)
    w = who(request)
    return [out.topic_out(t, w) for t in qs.order_by("-created_at", "-pk")[offset : offset + limit]]


@router.get("/topics/{pk}", response=answers(out.TopicOut), summary="议题详情")
def topic_get(request: HttpRequest, pk: PathId) -> dict[str, Any]:
    return out.topic_out(access.topic_for(request.user, pk), who(request))


def _topic_action(request: HttpRequest, pk: int, name: str, payload: Any) -> dict[str, Any]:
    actions.run(name, access.topic_for(request.user, pk), actor(request), payload)
    return out.topic_out(access.topic_for(request.user, pk), who(request))


@router.post(
    "/topics/{pk}/review", response=answers(out.TopicOut), summary="批准或不予批准（召集人）"
)
def topic_review(request: HttpRequest, pk: PathId, payload: si.ReviewIn) -> dict[str, Any]:
    return _topic_action(request, pk, "topic_review", payload)


@router.post(
    "/topics/{pk}/schedule", response=answers(out.TopicOut), summary="列入会议议程（办公室）"
)
def topic_schedule(request: HttpRequest, pk: PathId, payload: si.ScheduleTopicIn) -> dict[str, Any]:
    return _topic_action(request, pk, "topic_schedule", payload)


@router.post(
    "/topics/{pk}/unschedule", response=answers(out.TopicOut), summary="移出议程（办公室）"
)
def topic_unschedule(request: HttpRequest, pk: PathId) -> dict[str, Any]:
    return _topic_action(request, pk, "topic_unschedule", si.EmptyIn())


@router.get(
    "/invitations/{pk}/people",
    response=answers(list[out.PersonOut]),
    summary="可代会、出席的本单位人员",
)
def invitation_people(request: HttpRequest, pk: PathId) -> list[dict[str, Any]]:
    inv = access.invitation_for(request.user, pk)
    day = local(inv.meeting.starts_at).date()
    return [out.person_out(p) for p in unit_people(inv.unit_id, day)]


@router.post(
    "/invitations/{pk}/leave", response=answers(out.LeaveOut, 201), summary="请假并指定代会人员"
)
def leave_request(request: HttpRequest, pk: PathId, payload: si.LeaveIn) -> Status[Any]:
    leave = actions.run(
        "leave_request", access.invitation_for(request.user, pk), actor(request), payload
    )
    return Status(201, out.leave_out(access.leave_for(request.user, leave.pk), who(request)))


@router.get(
    "/leaves", response=answers(list[out.LeaveOut]), summary="请假申请（可按会议、状态筛选）"
)
def leaves(
    request: HttpRequest,
    meeting: QueryId = None,
    state: LeaveStateQuery = None,
    offset: Offset = 0,
    limit: Limit = 500,
) -> list[dict[str, Any]]:
    qs = access.readable_leaves(request.user).select_related(
        "invitation__meeting__body__jurisdiction", "invitation__unit", "substitute"
    )
    if meeting:
        qs = qs.filter(invitation__meeting_id=meeting)
    if state:
        qs = qs.filter(state=state)
    w = who(request)
    return [
        out.leave_out(lv, w) for lv in qs.order_by("-created_at", "-pk")[offset : offset + limit]
    ]


@router.get("/leaves/{pk}", response=answers(out.LeaveOut), summary="请假申请")
def leave_get(request: HttpRequest, pk: PathId) -> dict[str, Any]:
    return out.leave_out(access.leave_for(request.user, pk), who(request))


@router.post(
    "/leaves/{pk}/decide", response=answers(out.LeaveOut), summary="批准或不批准请假（召集人）"
)
def leave_decide(request: HttpRequest, pk: PathId, payload: si.ReviewIn) -> dict[str, Any]:
    actions.run("leave_decide", access.leave_for(request.user, pk), actor(request), payload)
    return out.leave_out(access.leave_for(request.user, pk), who(request))


@router.post("/leaves/{pk}/file", response=answers(out.LeaveOut), summary="请假备案（办公室）")
def leave_file(request: HttpRequest, pk: PathId) -> dict[str, Any]:
    actions.run("leave_file", access.leave_for(request.user, pk), actor(request), si.EmptyIn())
    return out.leave_out(access.leave_for(request.user, pk), who(request))
