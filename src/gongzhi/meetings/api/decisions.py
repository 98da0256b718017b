"""Decisions followed up, the units' inbox, and the transition tables."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from django.http import HttpRequest
from ninja import Query
from ninja.responses import Status
from pydantic import WithJsonSchema

from gongzhi.common.params import Limit, Offset, PathId
from gongzhi.meetings import access, actions, selectors
from gongzhi.meetings import schemas as si
from gongzhi.meetings import workflow as w
from gongzhi.meetings.api import out
from gongzhi.meetings.api.router import QueryId, actor, answers, router, who
from gongzhi.meetings.workflow import DecisionState

# "open" is every decision not done yet (as before), not only those still 待落实.
DecisionStateQuery = Annotated[
    Literal["open", "in_progress", "done", "overdue", "escalated"] | None,
    Query(None),
    WithJsonSchema(
        {
            "type": "string",
            "enum": ["open", "in_progress", "done", "overdue", "escalated"],
            "description": "open 未办结（待落实、落实中、已逾期、已提请上级）；in_progress 落实中；"
            "done 已办结；overdue 已逾期；escalated 已提请上级",
        }
    ),
]


@router.get("/decisions", response=answers(list[out.DecisionOut]), summary="议定事项督办")
def decisions(
    request: HttpRequest,
    state: DecisionStateQuery = None,
    body: QueryId = None,
    offset: Offset = 0,
    limit: Limit = 500,
) -> list[dict[str, Any]]:
    qs = selectors.visible_decisions(request.user).prefetch_related("cases")
    if state == "open":
        qs = qs.exclude(state=DecisionState.DONE)
    elif state:
        qs = qs.filter(state=state)
    if body:
        qs = qs.filter(meeting__body_id=body)
    wh = who(request)
    return [out.decision_out(d, wh) for d in qs.order_by("due_date", "pk")[offset : offset + limit]]


@router.get("/decisions/{pk}", response=answers(out.DecisionOut), summary="议定事项详情")
def decision_get(request: HttpRequest, pk: PathId) -> dict[str, Any]:
    return out.decision_out(access.decision_for(request.user, pk), who(request))


@router.get("/decisions/{pk}/progress", response=answers(list[out.ProgressOut]), summary="落实进展")
def decision_progress(request: HttpRequest, pk: PathId) -> list[dict[str, Any]]:
    decision = access.decision_for(request.user, pk)
    return [out.progress_out(p) for p in decision.progress.select_related("unit")]


@router.post("/decisions/{pk}/progress", response=answers(out.ProgressOut, 201), summary="报告进展")
def decision_progress_add(request: HttpRequest, pk: PathId, payload: si.TextIn) -> Status[Any]:
    decision = access.decision_for(request.user, pk)
    return Status(
        201, out.progress_out(actions.run("decision_progress", decision, actor(request), payload))
    )


@router.post("/decisions/{pk}/complete", response=answers(out.DecisionOut), summary="报告办结")
def decision_complete(request: HttpRequest, pk: PathId, payload: si.OutcomeIn) -> dict[str, Any]:
    actions.run("decision_complete", access.decision_for(request.user, pk), actor(request), payload)
    return out.decision_out(access.decision_for(request.user, pk), who(request))


@router.post(
    "/decisions/{pk}/escalate",
    response=answers(out.TopicOut, 201),
    summary="逾期事项提请上级（办公室）",
)
def decision_escalate(request: HttpRequest, pk: PathId, payload: si.ReasonIn) -> Status[Any]:
    decision = access.decision_for(request.user, pk)
    topic = actions.run("decision_escalate", decision, actor(request), payload)
    return Status(201, out.topic_out(topic, who(request)))


@router.get("/inbox", response=answers(out.InboxOut), summary="本单位收件箱")
def inbox(request: HttpRequest) -> dict[str, Any]:
    wh = who(request)
    box = selectors.unit_inbox(request.user)
    return {
        "unread": box.unread,
        "messages": [
            {
                "id": m.pk,
                "kind": m.kind,
                "unit": m.unit.name,
                "text": m.text,
                "meeting_id": m.meeting_id,
                "decision_id": m.decision_id,
                "topic_id": m.topic_id,
                "read": m.read_at is not None,
                "created_at": m.created_at,
            }
            for m in box.messages
        ],
        "notices": [
            {
                "invitation_id": i.pk,
                "meeting_id": i.meeting_id,
                "title": i.meeting.title,
                "unit": i.label,
                "starts_at": i.meeting.starts_at,
                "read": i.read_at is not None,
            }
            for i in box.invitations
        ],
        "topics": [out.topic_out(t, wh) for t in box.topics],
        "decisions": [out.decision_out(d, wh) for d in box.decisions],
        "allowed": access.allowed(request.user, access.inbox_for(request.user), who=wh),
    }


@router.post("/inbox/read", response=answers(out.ReadOut), summary="将本单位消息标为已读")
def inbox_read(request: HttpRequest, payload: si.InboxReadIn) -> dict[str, Any]:
    count = actions.run("inbox_read", access.inbox_for(request.user), actor(request), payload)
    return {"read": count}


@router.get("/states", response=answers(dict[str, Any]), summary="各状态机的允许变更")
def states(request: HttpRequest) -> dict[str, Any]:
    def table(t: dict[str, set[str]]) -> dict[str, list[str]]:
        return {k: sorted(v) for k, v in t.items()}

    return {
        "meeting": table(w.MEETING_MOVES),
        "topic": table(w.TOPIC_MOVES),
        "leave": table(w.LEAVE_MOVES),
        "minutes": table(w.MINUTES_MOVES),
        "decision": table(w.DECISION_MOVES),
        "meeting_states": dict(w.MeetingState.choices),
        "actions": {a.name: str(a.label) for a in actions.REGISTRY},
    }
