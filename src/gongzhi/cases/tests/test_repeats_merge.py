"""Repeats in one step (issue 13 item 5): the office merges a repeat group into one case,
keeps every reporter as a caller and tells them, and may raise the case with the others as
a candidate topic — in one transaction, through the service, the API and the desk."""

from __future__ import annotations

import json
from typing import Any

import pytest

from gongzhi.cases.models import Case, CaseCall, State
from gongzhi.cases.services import repeats as repeats_service
from gongzhi.cases.services.repeats import repeats_merge
from gongzhi.cases.tests.pages import register, user
from gongzhi.common.errors import DomainError, InvalidInput
from gongzhi.common.models import AuditEvent
from gongzhi.notify.models import EventType, Message

pytestmark = pytest.mark.django_db


def _group() -> list[Case]:
    return [
        register(matter_code="", title="楼道垃圾没清", reporter_phone="13900000001"),
        register(matter_code="", title="楼道垃圾还没清", reporter_phone="13900000002"),
        register(
            matter_code="",
            title="楼道垃圾没人清",
            reporter_name="李四",
            reporter_phone="13900000003",
        ),
    ]


def _unchanged(cases: list[Case]) -> None:
    for case in cases:
        fresh = Case.objects.get(pk=case.pk)
        assert fresh.state == State.REGISTERED and fresh.merged_into_id is None
    assert not CaseCall.objects.filter(case__in=cases).exists()


def test_merge_keeps_callers_tells_reporters_and_raises_a_topic(demo: Any) -> None:
    a, b, c = _group()
    audits = AuditEvent.objects.count()
    done = repeats_merge(
        actor=user("office"), keep=a.number, numbers=[b.number, c.number], topic=True
    )
    assert done.case.pk == a.pk and {x.number for x in done.merged} == {b.number, c.number}
    for other in (b, c):
        other.refresh_from_db()
        assert other.state == State.MERGED and other.merged_into_id == a.pk
    calls = CaseCall.objects.filter(case=a)
    assert {x.caller_phone for x in calls} == {"13900000002", "13900000003"}
    told = Message.objects.filter(
        event=EventType.CASE_UPDATE, address__in=["13900000002", "13900000003"]
    )
    assert told.count() == 2 and a.number in told.first().body  # type: ignore[union-attr]
    assert done.topic is not None
    assert set(done.topic.cases.values_list("number", flat=True)) == {a.number, b.number, c.number}
    assert AuditEvent.objects.count() > audits


def test_refusals_change_nothing(demo: Any) -> None:
    a, b, c = _group()
    for name in ("cb-office", "wuye", "auditor"):
        with pytest.raises(DomainError):
            repeats_merge(actor=user(name), keep=a.number, numbers=[b.number, c.number])
    elsewhere = register(matter_code="", estate="JX-E002", reporter_phone="13900000009")
    with pytest.raises(InvalidInput, match="不是同一小区"):
        repeats_merge(actor=user("office"), keep=a.number, numbers=[b.number, elsewhere.number])
    with pytest.raises(InvalidInput):
        repeats_merge(actor=user("office"), keep=a.number, numbers=[])
    _unchanged([a, b, c, elsewhere])


def test_a_refused_topic_undoes_the_merges(demo: Any, monkeypatch: Any) -> None:
    a, b, c = _group()

    def refuse(*args: Any) -> Any:
        raise DomainError("议题被拒")

    monkeypatch.setattr(repeats_service, "_conference", refuse)
    with pytest.raises(DomainError):
        repeats_merge(actor=user("office"), keep=a.number, numbers=[b.number, c.number], topic=True)
    _unchanged([a, b, c])
    assert not Message.objects.filter(
        event=EventType.CASE_UPDATE, address__in=["13900000002", "13900000003"]
    ).exists()


def test_through_the_api_and_the_desk(demo: Any, login: Any) -> None:
    a, b, c = _group()
    other = login("cb-office")
    denied = other.post(
        "/api/cases/desk/repeats",
        json.dumps({"keep": a.number, "numbers": [b.number]}),
        content_type="application/json",
    )
    assert denied.status_code == 422 and "不存在或无权操作" in str(denied.json())
    office = login("office")
    answered = office.post(
        "/api/cases/desk/repeats",
        json.dumps({"keep": a.number, "numbers": [b.number]}),
        content_type="application/json",
    )
    assert answered.status_code == 200, answered.content
    assert answered.json() == {"case": a.number, "merged": [b.number], "topic": None}
    html = office.get("/cases/desk/").content.decode()
    assert 'action="/cases/desk/repeats/"' in html
    page = office.post(
        "/cases/desk/repeats/", {"keep": a.number, "numbers": [c.number], "topic": "1"}, follow=True
    ).content.decode()
    assert f"已将 {c.number} 并入 {a.number}" in page and "待召集人审核" in page
    assert Case.objects.get(pk=c.pk).state == State.MERGED
