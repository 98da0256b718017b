"""Issue 8: fuzzing and boundary probes found 5xx answers on the meetings endpoints (ids
past 2⁶³, years and dates out of range, NUL bytes and over-long texts on PostgreSQL).
Every endpoint of the OpenAPI document gets hostile values in each path and query
parameter and each field of its body (nested rows included), as an office user; every
answer is a 4xx with a Chinese message, or a success — never a 5xx. Each request is
rolled back, so every probe starts from the demo."""

from __future__ import annotations

import datetime as dt
import json
import re
from typing import Any

import pytest
from django.db import transaction

from gongzhi.common.workcal import SHANGHAI
from gongzhi.meetings import services as s
from gongzhi.meetings.models import Decision, Invitation, LeaveRequest, Meeting, Topic
from gongzhi.meetings.workflow import MeetingState, TopicState
from gongzhi.org.models import Body, Post

pytestmark = pytest.mark.django_db
CJK = re.compile(r"[\u4e00-\u9fff]")
HOSTILE: list[Any] = [
    2**63,
    -(2**63) - 1,
    10**30,
    -1,
    0,
    1.5,
    "x",
    "",
    "\x00",
    "长" * 6000,
    None,
    True,
    [],
    [2**63],
    {"a": 1},
    "0001-01-01",
    "9999-12-31T23:59:59",
    "2026-02-30",
    "2026-11-05T09:00:00",
]
HOSTILE_IDS: list[Any] = [2**63, 10**30, -1, 0, "x", 1.5]


def _objects(demo: Any, traveller: Any) -> dict[str, Any]:
    """An object of each kind on which the office's actions are offered, so that what
    gets past the schemas reaches the services: the December meeting (planned), a held
    ad-hoc meeting with a draft, the noticed November meeting's invitation and leave."""
    body = Body.objects.get(name="嘉祥街道物业管理联席会议")
    planned = Meeting.objects.filter(body=body, state=MeetingState.PLANNED).order_by("starts_at")
    december = planned[0]
    held = s.meeting_create(
        body=body,
        kind="plenary",
        starts_at=dt.datetime(2026, 11, 3, 9, 0, tzinfo=SHANGHAI),
        place="会议室",
        actor=None,
    )
    approved = s.topic_propose(
        body=body, unit=demo.units["pc:鸿泰"], title="t", background="b", ask="a", actor=None
    )
    s.topic_review(topic=approved, approve=True, actor=None)
    s.topic_schedule(topic=approved, meeting=held, actor=None)
    s.meeting_notice_send(meeting=held, actor=None)
    traveller.move_to(held.starts_at + dt.timedelta(hours=2))
    s.attendance_record(
        meeting=held,
        rows=[s.AttendanceRow(i.pk, "present") for i in held.invitations.all()],
        actor=None,
    )
    s.minutes_save(meeting=held, summary="", items=[], actor=None)
    leave = LeaveRequest.objects.get()
    proposed = Topic.objects.filter(body=body, state=TopicState.PROPOSED).first()
    liaison = Post.objects.get(unit=demo.units["housing_bureau"], role="liaison", end_date=None)
    return {
        "body": body,
        "december": december,
        "held": held,
        "topic": proposed,
        "invitation": Invitation.objects.filter(meeting=december).first() or leave.invitation,
        "leave": leave,
        "decision": Decision.objects.filter(state="escalated").first(),
        "liaison": liaison.person,
        "unit": demo.units["street:嘉祥街道"],
    }


def _baselines(o: dict[str, Any]) -> dict[tuple[str, str], tuple[Any, Any]]:
    """(method, path) → (the object in the path, a valid body)."""
    inv = o["leave"].invitation
    return {
        ("put", "/bodies/{pk}/schedule"): (o["body"], {"rule": "monthly", "weekday": 2}),
        ("post", "/bodies/{pk}/plan"): (o["body"], {"start": "2026-12-01", "end": "2027-01-31"}),
        ("post", "/bodies/{pk}/meetings"): (
            o["body"],
            {
                "kind": "partial",
                "starts_at": "2026-12-20T09:00:00+08:00",
                "place": "x",
                "unit_ids": [o["unit"].pk],
            },
        ),
        ("post", "/bodies/{pk}/members"): (
            o["body"],
            {"role": "member", "person_name": "张三", "start_date": "2026-11-01", "reason": "x"},
        ),
        ("post", "/bodies/{pk}/topics"): (
            o["body"],
            {
                "unit_id": o["unit"].pk,
                "title": "t",
                "background": "b",
                "ask": "a",
                "estate_codes": ["JX-E001"],
                "case_ids": [],
            },
        ),
        ("post", "/bodies/{pk}/topics/from-cases"): (o["body"], {"case_ids": [1], "title": ""}),
        ("post", "/meetings/{pk}/transition"): (o["december"], {"to": "cancelled", "reason": "x"}),
        ("post", "/meetings/{pk}/cancel"): (o["december"], {"reason": "x"}),
        ("post", "/meetings/{pk}/notice"): (o["december"], None),
        ("post", "/meetings/{pk}/invitations"): (
            o["december"],
            {"role": "observer", "unit_id": None, "name": "x"},
        ),
        ("post", "/meetings/{pk}/attendance"): (
            o["held"],
            {
                "rows": [
                    {
                        "invitation_id": o["held"].invitations.first().pk,
                        "status": "present",
                        "attendee_id": None,
                        "note": "",
                    }
                ]
            },
        ),
        ("put", "/meetings/{pk}/minutes"): (
            o["held"],
            {
                "summary": "",
                "is_public": False,
                "items": [{"topic_id": o["held"].topics.first().pk, "conclusion": "x"}],
            },
        ),
        ("post", "/meetings/{pk}/minutes/sign"): (o["held"], None),
        ("post", "/meetings/{pk}/minutes/return"): (o["held"], {"reason": "x"}),
        ("post", "/meetings/{pk}/minutes/send"): (o["held"], None),
        ("post", "/meetings/{pk}/decisions"): (
            o["held"],
            {
                "title": "t",
                "required_outcome": "r",
                "responsible_unit_id": o["unit"].pk,
                "cooperating_unit_ids": [],
                "due_date": "2026-12-31",
                "topic_id": None,
                "case_ids": [],
                "closes_cases": True,
                "case_instructions": "",
            },
        ),
        ("post", "/topics/{pk}/review"): (o["topic"], {"approve": False, "reason": "x"}),
        ("post", "/topics/{pk}/schedule"): (o["topic"], {"meeting_id": o["december"].pk}),
        ("post", "/topics/{pk}/unschedule"): (o["topic"], None),
        ("post", "/invitations/{pk}/leave"): (
            inv,
            {"reason": "x", "substitute_id": o["liaison"].pk},
        ),
        ("post", "/leaves/{pk}/decide"): (o["leave"], {"approve": False, "reason": "x"}),
        ("post", "/leaves/{pk}/file"): (o["leave"], None),
        ("post", "/decisions/{pk}/progress"): (o["decision"], {"text": "x"}),
        ("post", "/decisions/{pk}/complete"): (o["decision"], {"outcome": "x"}),
        ("post", "/decisions/{pk}/escalate"): (o["decision"], {"reason": "x"}),
        ("post", "/inbox/read"): (None, {"ids": []}),
    }


def _get_object(path: str, o: dict[str, Any]) -> Any:
    kind = path.split("/")[1]
    return {
        "bodies": o["body"],
        "meetings": o["december"],
        "topics": o["topic"],
        "decisions": o["decision"],
        "invitations": o["leave"].invitation,
        "leaves": o["leave"],
    }.get(kind)


def _mutations(body: Any) -> list[Any]:
    """The body with one field (or one field of its first row) made hostile at a time."""
    found: list[Any] = []
    if not isinstance(body, dict):
        return found
    for key, value in body.items():
        for bad in HOSTILE:
            found.append({**body, key: bad})
        if isinstance(value, list) and value and isinstance(value[0], dict):
            found += [{**body, key: [row, *value[1:]]} for row in _mutations(value[0])]
    found.append({**body, "extra": "\x00"})
    found.append([body])
    return found


def _check(response: Any, what: str) -> None:
    assert response.status_code < 500, (what, response.status_code)
    if response.status_code >= 400:
        answer = response.json()
        assert CJK.search(answer.get("message", "")), (what, response.status_code, answer)
        for error in answer.get("errors") or []:
            assert CJK.search(error["message"]), (what, error)


def _probe(client: Any, method: str, url: str, body: Any) -> Any:
    with transaction.atomic():
        if body is None:
            response = getattr(client, method)(url)
        else:
            data = body if isinstance(body, str) else json.dumps(body)
            response = getattr(client, method)(url, data, content_type="application/json")
        transaction.set_rollback(True)
    return response


def _operations(client: Any) -> list[tuple[str, str, dict[str, Any]]]:
    paths = client.get("/api/openapi.json").json()["paths"]
    return [
        (method, path.removeprefix("/api/meetings"), op)
        for path, ops in paths.items()
        if path.startswith("/api/meetings/")
        for method, op in ops.items()
    ]


def test_every_meetings_endpoint_answers_hostile_input_without_5xx(
    demo, login, at_demo_now
) -> None:
    objects = _objects(demo, at_demo_now)
    baselines = _baselines(objects)
    client = login("office")
    client.raise_request_exception = False
    operations = _operations(client)
    writes = {(m, p) for m, p, _op in operations if m != "get"}
    assert writes == set(baselines), "every write endpoint needs a baseline here"
    for method, path, op in operations:
        if method == "get":
            obj = _get_object(path, objects)
            body = None
        else:
            obj, body = baselines[(method, path)]
        base = path.replace("{pk}", str(obj.pk)) if obj is not None else path
        url = "/api/meetings" + base
        _check(_probe(client, method, url, body), f"{method} {url}")
        if "{pk}" in path:
            for bad in HOSTILE_IDS:
                bad_url = "/api/meetings" + path.replace("{pk}", str(bad))
                _check(_probe(client, method, bad_url, body), f"{method} {bad_url}")
        for param in op.get("parameters", []):
            if param["in"] != "query":
                continue
            for bad in HOSTILE:
                value = json.dumps(bad) if not isinstance(bad, str) else bad
                probe = f"{url}?{param['name']}={value}"
                _check(_probe(client, method, probe, body), f"{method} {probe}")
        for hostile in _mutations(body):
            _check(_probe(client, method, url, hostile), f"{method} {url} {str(hostile)[:80]}")
        if body is not None:
            # Not JSON at all: ninja's own 400 (config/api.py answers it, not this app).
            assert _probe(client, method, url, "not json {").status_code == 400


def test_pages_answer_hostile_forms_without_5xx(demo, login, at_demo_now) -> None:
    """The pages parse with the same schemas: hostile targets and fields are 4xx too."""
    from gongzhi.meetings.actions import REGISTRY

    objects = _objects(demo, at_demo_now)
    client = login("office")
    client.raise_request_exception = False
    pages = {
        "body": f"/meetings/bodies/{objects['body'].pk}/",
        "meeting": f"/meetings/m/{objects['december'].pk}/",
        "topic": f"/meetings/topics/{objects['topic'].pk}/",
        "invitation": f"/meetings/m/{objects['december'].pk}/",
        "leave": f"/meetings/m/{objects['december'].pk}/",
        "decision": f"/meetings/decisions/{objects['decision'].pk}/",
        "inbox": "/meetings/inbox/",
    }
    for action in REGISTRY:
        url = pages[action.on]  # type: ignore[attr-defined]
        for target in [*HOSTILE_IDS, "\x00"]:
            r = _probe_form(client, url, {"action": action.name, "target": target})
            assert r.status_code < 500, (action.name, target, r.status_code)
        for field in action.input.model_fields:
            for bad in ["\x00", "长" * 6000, str(2**63), "-1", "2026-02-30", "x"]:
                form = {"action": action.name, field: bad}
                r = _probe_form(client, url, form)
                assert r.status_code < 500, (action.name, field, bad[:10], r.status_code)
    for url in (
        f"/meetings/m/{2**63}/",
        f"/meetings/bodies/{10**30}/summary/?year=99999&half=x",
        "/meetings/calendar/?month=9999-12",
        "/meetings/decisions/?body=99999999999999999999999&state=%00",
        f"/meetings/public/minutes/{2**64}/",
    ):
        assert client.get(url).status_code in (200, 400, 404), url  # 400: a NUL refused


def _probe_form(client: Any, url: str, form: dict[str, Any]) -> Any:
    with transaction.atomic():
        response = client.post(url, form)
        transaction.set_rollback(True)
    return response
