"""Bodies: their schedule, plan, members, ad-hoc meetings, topics (also from cases) and
summaries."""

from __future__ import annotations

from typing import Annotated, Any

from django.http import HttpRequest
from ninja import Query
from ninja.responses import Status

from gongzhi.common.params import PathId, Year
from gongzhi.meetings import access, actions, selectors
from gongzhi.meetings import schemas as si
from gongzhi.meetings.api import out
from gongzhi.meetings.api.router import actor, answers, router, who
from gongzhi.org.selectors import body_current_members


@router.get("/bodies", response=answers(list[out.BodyOut]), summary="我可见的议事机构")
def bodies(request: HttpRequest) -> list[dict[str, Any]]:
    w = who(request)
    qs = access.readable_bodies(request.user).select_related("jurisdiction", "office_unit")
    return [out.body_out(b, w) for b in qs]


@router.get("/bodies/{pk}", response=answers(out.BodyOut), summary="议事机构与会议周期")
def body_get(request: HttpRequest, pk: PathId) -> dict[str, Any]:
    return out.body_out(access.body_for(request.user, pk), who(request))


@router.put(
    "/bodies/{pk}/schedule", response=answers(out.BodyOut), summary="设置会议周期（办公室）"
)
def schedule_put(request: HttpRequest, pk: PathId, payload: si.ScheduleIn) -> dict[str, Any]:
    body = access.body_for(request.user, pk)
    actions.run("schedule_set", body, actor(request), payload)
    return out.body_out(access.body_for(request.user, pk), who(request))


@router.post(
    "/bodies/{pk}/plan", response=answers(list[out.MeetingOut]), summary="按周期生成例会（办公室）"
)
def plan(request: HttpRequest, pk: PathId, payload: si.PlanIn) -> list[dict[str, Any]]:
    body = access.body_for(request.user, pk)
    made = actions.run("meetings_plan", body, actor(request), payload)
    w = who(request)
    return [out.meeting_out(m, w) for m in made]


@router.post(
    "/bodies/{pk}/meetings",
    response=answers(out.MeetingOut, 201),
    summary="安排临时会议（办公室）",
)
def meeting_create(request: HttpRequest, pk: PathId, payload: si.MeetingIn) -> Status[Any]:
    body = access.body_for(request.user, pk)
    meeting = actions.run("meeting_create", body, actor(request), payload)
    return Status(201, out.meeting_out(access.meeting_for(request.user, meeting.pk), who(request)))


@router.get("/bodies/{pk}/members", response=answers(out.MembersOut), summary="组成人员及历史变动")
def members(request: HttpRequest, pk: PathId) -> dict[str, Any]:
    body = access.body_for(request.user, pk)
    current = body_current_members(body.pk).order_by("sort", "id")
    history = body.members.filter(end_date__isnull=False).select_related("unit", "person")
    return {
        "current": [out.member_out(m) for m in current],
        "history": [out.member_out(m) for m in history.order_by("-end_date", "id")],
    }


@router.post(
    "/bodies/{pk}/members",
    response=answers(out.MemberOut, 201),
    summary="登记成员变更（办公室，000 三(二)）",
)
def member_change(request: HttpRequest, pk: PathId, payload: si.MemberIn) -> Status[Any]:
    body = access.body_for(request.user, pk)
    seat = actions.run("body_member_change", body, actor(request), payload)
    return Status(201, out.member_out(seat))


@router.get(
    "/bodies/{pk}/case-candidates",
    response=answers(list[out.CandidateOut]),
    summary="建议提交会议研究的案件（办公室可提为议题的）",
)
def case_candidates(request: HttpRequest, pk: PathId) -> list[dict[str, Any]]:
    body = access.body_for(request.user, pk)
    if not who(request).manages(body):
        return []
    return [out.candidate_out(c) for c in selectors.case_candidates(body, request.user)]


@router.post(
    "/bodies/{pk}/topics", response=answers(out.TopicOut, 201), summary="提出议题（成员单位）"
)
def topic_propose(request: HttpRequest, pk: PathId, payload: si.TopicIn) -> Status[Any]:
    body = access.body_for(request.user, pk)
    topic = actions.run("topic_propose", body, actor(request), payload)
    return Status(201, out.topic_out(access.topic_for(request.user, topic.pk), who(request)))


@router.post(
    "/bodies/{pk}/topics/from-cases",
    response=answers(out.TopicOut, 201),
    summary="将案件提为议题（办公室）",
)
def topic_from_cases(request: HttpRequest, pk: PathId, payload: si.CasesTopicIn) -> Status[Any]:
    body = access.body_for(request.user, pk)
    topic = actions.run("topic_from_cases", body, actor(request), payload)
    return Status(201, out.topic_out(access.topic_for(request.user, topic.pk), who(request)))


@router.get("/bodies/{pk}/summary", response=answers(out.SummaryOut), summary="半年小结、年度总结")
def summary(
    request: HttpRequest,
    pk: PathId,
    year: Year,
    half: Annotated[
        int | None, Query(None, ge=1, le=2, description="1 上半年；2 下半年；不填为全年")
    ] = None,
) -> dict[str, Any]:
    body = access.body_for(request.user, pk)
    return out.summary_out(selectors.body_summary(body, year=year, half=half))
