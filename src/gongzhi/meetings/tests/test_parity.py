"""One rule per action (access.RULES), read by every door: for every demo account and
every body, meeting, invitation, leave request, topic and decision of the demo (with a
held meeting and an overdue decision added, so that every action is offered somewhere),
the pages offer exactly the actions the API lists as ``allowed``, and the services
refuse each action that is not offered, with the rule's own answer."""

from __future__ import annotations

import datetime as dt
import re
from collections import Counter
from typing import Any

import pytest
from django.db import transaction

from gongzhi.common.errors import DomainError
from gongzhi.common.workcal import SHANGHAI
from gongzhi.meetings import access, actions
from gongzhi.meetings import services as s
from gongzhi.meetings.models import Decision, Invitation, LeaveRequest, Meeting, Topic
from gongzhi.meetings.workflow import MeetingState
from gongzhi.org.models import Body, Post, User

pytestmark = pytest.mark.django_db
OFFER = re.compile(r'data-action="(\w+)" data-on="(\w+:\w+)"')


def _adhoc(body: Body, hour: int) -> Meeting:
    return s.meeting_create(
        body=body,
        kind="plenary",
        starts_at=dt.datetime(2026, 11, 3, hour, 0, tzinfo=SHANGHAI),
        place="会议室",
        actor=None,
    )


def _hold(meeting: Meeting) -> None:
    s.attendance_record(
        meeting=meeting,
        rows=[s.AttendanceRow(i.pk, "present") for i in meeting.invitations.all()],
        actor=None,
    )


def _states(demo: Any, traveller: Any) -> None:
    """Beyond the demo, so that every action is offered somewhere: a meeting held with
    draft minutes and an overdue decision, one with signed minutes, an approved topic
    waiting for an agenda, an approved leave request and a new one."""
    body = Body.objects.get(name="嘉祥街道物业管理联席会议")
    held, signed = _adhoc(body, 9), _adhoc(body, 14)
    topic = Topic.objects.get(body=body, state="proposed")
    s.topic_review(topic=topic, approve=True, actor=None)
    s.topic_schedule(topic=topic, meeting=held, actor=None)
    waiting = s.topic_propose(
        body=body, unit=demo.units["pc:鸿泰"], title="t", background="b", ask="a", actor=None
    )
    s.topic_review(topic=waiting, approve=True, actor=None)
    for m in (held, signed):
        s.meeting_notice_send(meeting=m, actor=None)
    november = Meeting.objects.get(body=body, state=MeetingState.NOTICED, kind="planned")
    s.leave_decide(leave=LeaveRequest.objects.get(), approve=True, actor=None)
    s.leave_request(
        invitation=november.invitations.get(unit=demo.units["urban_enforcement"]),
        reason="出差",
        substitute=s.unit_people(demo.units["urban_enforcement"].pk)[0],
        actor=None,
    )
    traveller.move_to(held.starts_at + dt.timedelta(hours=8))
    _hold(held)
    _hold(signed)
    s.minutes_save(meeting=signed, summary="概况", items=[], actor=None)
    s.minutes_sign(meeting=signed, actor=None)
    s.minutes_save(meeting=held, summary="概况", items=[], actor=None)
    s.decision_add(
        meeting=held,
        title="限期清理",
        required_outcome="清理完毕",
        responsible_unit=demo.units["urban_enforcement"],
        cooperating_units=[demo.units["pc:鸿泰"]],
        due_date=dt.date(2026, 11, 4),
        actor=None,
    )
    traveller.move_to(dt.datetime(2026, 11, 5, 10, 0, tzinfo=SHANGHAI))
    s.meetings_sweep()


def _samples(demo: Any) -> dict[str, dict[str, Any]]:
    """A valid input for each action: refusals must come from the rule, not the input."""
    december = Meeting.objects.filter(state=MeetingState.PLANNED).order_by("starts_at")[0]
    liaison = Post.objects.filter(unit=demo.units["housing_bureau"], role="liaison")[0]
    return {
        "schedule_set": {"rule": "monthly", "weekday": 2},
        "meetings_plan": {"start": "2026-12-01", "end": "2026-12-31"},
        "meeting_create": {"kind": "plenary", "starts_at": "2026-12-20T09:00", "place": "x"},
        "topic_propose": {
            "unit_id": demo.units["housing_bureau"].pk,
            "title": "t",
            "background": "b",
            "ask": "a",
        },
        "topic_from_cases": {"case_ids": []},
        "body_member_change": {"person_name": "x", "start_date": "2026-11-05", "reason": "x"},
        "meeting_notice": {},
        "invitation_add": {"role": "observer", "name": "x"},
        "meeting_cancel": {"reason": "x"},
        "attendance_record": {"rows": []},
        "minutes_save": {},
        "decision_add": {"title": "t", "required_outcome": "r"},
        "minutes_sign": {},
        "minutes_return": {"reason": "x"},
        "minutes_send": {},
        "topic_review": {"approve": True},
        "topic_schedule": {"meeting_id": december.pk},
        "topic_unschedule": {},
        "leave_request": {"reason": "x", "substitute_id": liaison.person_id},
        "leave_decide": {"approve": True},
        "leave_file": {},
        "decision_progress": {"text": "x"},
        "decision_complete": {"outcome": "x"},
        "decision_escalate": {"reason": "x"},
        "inbox_read": {},
    }


class Doors:
    """One account's view through the pages and the API, each page fetched once."""

    def __init__(self, client: Any) -> None:
        self.client = client
        self.pages: dict[str, str | None] = {}

    def page(self, url: str) -> str | None:
        if url not in self.pages:
            r = self.client.get(url)
            assert r.status_code in (200, 403, 404), (url, r.status_code)
            self.pages[url] = r.content.decode() if r.status_code == 200 else None
        return self.pages[url]

    def offers(self, urls: list[str], obj: Any) -> set[str]:
        key = access.key_of(obj)
        found: set[str] = set()
        for url in urls:
            html = self.page(url)
            if html is not None:
                found |= {name for name, on in OFFER.findall(html) if on == key}
        return found

    def api(self, url: str) -> Any:
        r = self.client.get(url)
        assert r.status_code in (200, 404), (url, r.status_code)
        return r.json() if r.status_code == 200 else None


def _meeting_pages(m: Meeting) -> list[str]:
    return [f"/meetings/m/{m.pk}/{tail}" for tail in ("", "agenda/", "attendance/", "minutes/")]


def _walk(doors: Doors, user: User) -> list[tuple[Any, set[str], set[str]]]:
    """(object, offered by the pages, allowed by the API) for every object."""
    seen: list[tuple[Any, set[str], set[str]]] = []
    for body in Body.objects.all():
        got = doors.api(f"/api/meetings/bodies/{body.pk}")
        offers = doors.offers([f"/meetings/bodies/{body.pk}/"], body)
        seen.append((body, offers, set(got["allowed"]) if got else set()))
    for m in Meeting.objects.select_related("body").order_by("pk"):
        got = doors.api(f"/api/meetings/meetings/{m.pk}")
        seen.append((m, doors.offers(_meeting_pages(m), m), set(got["allowed"]) if got else set()))
        invited = {i["id"]: i for i in got["invitations"]} if got else {}
        for inv in Invitation.objects.filter(meeting=m):
            allowed = set(invited[inv.pk]["allowed"]) if inv.pk in invited else set()
            seen.append((inv, doors.offers(_meeting_pages(m), inv), allowed))
    for leave in LeaveRequest.objects.select_related("invitation"):
        got = doors.api(f"/api/meetings/leaves/{leave.pk}")
        pages = _meeting_pages(leave.invitation.meeting)
        seen.append((leave, doors.offers(pages, leave), set(got["allowed"]) if got else set()))
    for topic in Topic.objects.all():
        got = doors.api(f"/api/meetings/topics/{topic.pk}")
        offers = doors.offers([f"/meetings/topics/{topic.pk}/"], topic)
        seen.append((topic, offers, set(got["allowed"]) if got else set()))
    for d in Decision.objects.all():
        got = doors.api(f"/api/meetings/decisions/{d.pk}")
        offers = doors.offers([f"/meetings/decisions/{d.pk}/"], d)
        seen.append((d, offers, set(got["allowed"]) if got else set()))
    if doors.api("/api/meetings/inbox") is not None:
        box = access.inbox_for(user)
        got = doors.api("/api/meetings/inbox")
        seen.append((box, doors.offers(["/meetings/inbox/"], box), set(got["allowed"])))
    return seen


def _fresh(obj: Any) -> Any:
    if isinstance(obj, access.UnitInbox):
        return obj
    return type(obj)._default_manager.get(pk=obj.pk)


def test_pages_offer_what_the_api_allows_and_the_services_refuse_the_rest(
    demo, client, at_demo_now
) -> None:
    _states(demo, at_demo_now)
    samples = _samples(demo)
    assert set(samples) == set(access.RULES) == set(actions.REGISTRY.names())
    offered: Counter[str] = Counter()
    for user in User.objects.order_by("username"):
        client.force_login(user)
        for obj, pages, api in _walk(Doors(client), user):
            assert pages == api, (user.username, access.key_of(obj), pages, api)
            offered.update(api)
            kind = access.kind_of(obj)
            for name, rule in access.RULES.items():
                if rule.on != kind or name in api:
                    continue
                obj = _fresh(obj)
                refused = access.refusal(user, name, obj)
                assert refused is not None, (user.username, name, access.key_of(obj))
                action = actions.action(name)
                data = action.input.model_validate(samples[name])
                with pytest.raises(DomainError) as err, transaction.atomic():
                    action.run(obj, user, data, {})
                assert err.value.message == refused.message, (user.username, name, obj)
    # The walk saw every action offered to someone, so none went untested on that side.
    assert set(offered) == set(access.RULES), set(access.RULES) - set(offered)
