"""Outages, the gaps of issue 9: the companies' tasks pushed through the notify outbox when
an outage opens; the sweep's reminder once the expected restore time passes (once, to
the utility and the office, never to another county); unlinking a case with a reason.
Through services, the sweep command, the API and the page."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

import pytest
import time_machine
from django.core.management import call_command

from gongzhi.cases import services as cs
from gongzhi.cases.models import Case, CaseEvent
from gongzhi.common.errors import DomainError, InvalidInput, PermissionDenied
from gongzhi.common.models import AuditEvent
from gongzhi.notify.models import EventType, Message
from gongzhi.org.models import Estate, Unit, User
from gongzhi.parties import services as s
from gongzhi.parties.models import Outage, OutageCase
from gongzhi.parties.services.sweep import outages_remind_overdue

pytestmark = pytest.mark.django_db

TITLE = "曾子花园 10kV 线路故障停电"


def _outage() -> Outage:
    return Outage.objects.get(title=TITLE)


def _post(client: Any, path: str, body: dict[str, Any]) -> Any:
    return client.post(path, json.dumps(body), content_type="application/json")


def _contacts() -> None:
    """Phones and e-mail for the staff the messages go to (the demo's have none)."""
    User.objects.filter(username="wuye").update(phone="13905379001")
    User.objects.filter(username="gongdian").update(phone="13905379002")
    User.objects.filter(username="office").update(email="office@jx.example")
    User.objects.filter(username="cb-office").update(email="office@cb.example")
    User.objects.filter(username="cb-wy").update(phone="13905379003")


def _chibi_power(demo: Any) -> Unit:
    from gongzhi.org.services import unit_create

    estate = Estate.objects.filter(code__startswith="CB").select_related("community").first()
    assert estate is not None
    county = estate.community.parent
    while county is not None and county.name != "赤壁市":
        county = county.parent
    assert county is not None
    return unit_create(
        code="cb-power-test", name="赤壁供电（测试）", kind="utility_power", jurisdiction=county
    )


def test_opening_pushes_each_companys_tasks_at_once(demo: Any) -> None:
    _contacts()
    now = dt.datetime(2026, 11, 2, 15, 30, tzinfo=dt.UTC)  # 23:30 in Beijing: quiet hours
    before = Message.objects.filter(event=EventType.OUTAGE_TASK).count()
    outage = s.outage_open(
        actor=demo.users["gongdian"],
        utility=demo.units["utility_power"],
        estates=[demo.estates["JX-E001"], demo.estates["JX-E002"]],
        supply="water",
        title="建设北路主管爆裂停水",
        started_at=now - dt.timedelta(minutes=10),
        expected_at=now + dt.timedelta(hours=4),
        now=now,
    )
    sent = Message.objects.filter(event=EventType.OUTAGE_TASK, target=f"parties.outage:{outage.pk}")
    assert sent.count() == Message.objects.filter(event=EventType.OUTAGE_TASK).count() - before
    robot = sent.get(channel="wecom")
    assert "鸿泰物业客服群" in robot.label
    assert "开放水箱或设置临时供水点" in robot.body and "建设北路主管爆裂停水" in robot.body
    sms = sent.get(channel="sms", address="13905379001")
    # An emergency: quiet hours do not hold it back.
    assert sms.next_attempt_at == now and sms.state == Message.State.PENDING
    assert not sent.filter(address="13905379003").exists()  # another county's company
    companies = {e.property_company_id for e in (demo.estates["JX-E001"], demo.estates["JX-E002"])}
    assert set(sent.exclude(unit=None).values_list("unit_id", flat=True)) <= companies
    audit = AuditEvent.objects.get(action="parties.outage.open", target_id=str(outage.pk))
    assert audit.extra["companies_told"] == len(companies)


def test_the_sweep_reminds_once_when_the_expected_time_passes(demo: Any) -> None:
    _contacts()
    outage = _outage()
    early = outage.expected_at - dt.timedelta(minutes=1)
    assert outages_remind_overdue(early) == []
    late = outage.expected_at + dt.timedelta(minutes=1)
    result = cs.case_sweep(now=late)
    assert ("停水停电超时未恢复提醒", 1) in result.more
    assert "停水停电超时未恢复提醒 1 件" in str(result)
    outage.refresh_from_db()
    assert outage.overdue_reminded_at == late and outage.state == "open"
    assert outage.version == 1  # a page open to close it is not made stale
    sent = Message.objects.filter(event=EventType.OUTAGE_OVERDUE)
    assert set(sent.values_list("channel", "address")) == {
        ("sms", "13905379002"),
        ("email", "office@jx.example"),
    }
    assert "预计" in sent.first().body  # type: ignore[union-attr]
    assert AuditEvent.objects.filter(action="parties.outage.overdue").count() == 1
    # Again, later: nothing more.
    assert cs.case_sweep(now=late + dt.timedelta(hours=1)).more == [("停水停电超时未恢复提醒", 0)]
    assert sent.count() == 2
    assert AuditEvent.objects.filter(action="parties.outage.overdue").count() == 1


def test_a_closed_outage_is_not_reminded_and_other_county_hears_nothing(demo: Any) -> None:
    _contacts()
    outage = _outage()
    s.outage_close(
        actor=demo.users["gongdian"], outage=outage, expected_version=1, note="已恢复供电"
    )
    power = _chibi_power(demo)
    now = dt.datetime(2026, 11, 2, 9, 0, tzinfo=dt.UTC)
    chibi = s.outage_open(
        actor=demo.users["cb-office"],
        utility=power,
        estates=[Estate.objects.filter(code__startswith="CB").first()],  # type: ignore[list-item]
        supply="power",
        title="蒲圻线路故障停电",
        started_at=now - dt.timedelta(hours=1),
        expected_at=now + dt.timedelta(hours=1),
        now=now,
    )
    assert outages_remind_overdue(now + dt.timedelta(days=1)) == [chibi.pk]
    sent = Message.objects.filter(event=EventType.OUTAGE_OVERDUE)
    assert list(sent.values_list("address", flat=True)) == ["office@cb.example"]
    assert sent.get().area_path.startswith(power.jurisdiction.path)


def test_the_sweep_command_the_page_and_the_api_show_it(login: Any, demo: Any) -> None:
    outage = _outage()
    page = login("gongdian").get(f"/parties/outages/{outage.pk}/").content.decode()
    assert "已超过预计恢复时间" not in page
    with time_machine.travel(outage.expected_at + dt.timedelta(minutes=5), tick=False):
        call_command("sweep")
        outage.refresh_from_db()
        assert outage.overdue_reminded_at is not None
        client = login("gongdian")
        page = client.get(f"/parties/outages/{outage.pk}/").content.decode()
        assert "已超过预计恢复时间" in page and "提醒专营单位和联席会议办公室" in page
        assert "超时未恢复" in client.get("/parties/outages/").content.decode()
        assert client.get(f"/api/parties/outages/{outage.pk}").json()["overdue"] is True
        assert login("cb-office").get(f"/api/parties/outages/{outage.pk}").status_code == 404


def test_unlink_a_case_with_a_reason(demo: Any) -> None:
    outage = _outage()
    link = OutageCase.objects.filter(outage=outage).select_related("case").first()
    assert link is not None
    number = link.case.number
    with pytest.raises(PermissionDenied):
        s.outage_unlink(actor=demo.users["wuye"], outage=outage, number=number, reason="x")
    with pytest.raises(PermissionDenied):
        s.outage_unlink(actor=demo.users["cb-office"], outage=outage, number=number, reason="x")
    with pytest.raises(InvalidInput) as exc:
        s.outage_unlink(actor=demo.users["gongdian"], outage=outage, number="NOPE", reason="")
    assert {e.field for e in exc.value.errors} == {"number", "reason"}
    assert OutageCase.objects.filter(outage=outage).count() == 3
    s.outage_unlink(
        actor=demo.users["gongdian"], outage=outage, number=number, reason="该户是欠费停电"
    )
    assert not OutageCase.objects.filter(case__number=number).exists()
    # Not suggested again for this outage (it may still be linked by its number).
    from gongzhi.parties.selectors import outage_suggestions

    assert number not in {c.number for c in outage_suggestions(outage)}
    last = CaseEvent.objects.filter(case__number=number).order_by("-id").first()
    assert last is not None and last.action == "incident_unlink" and "欠费停电" in last.reason
    audit = AuditEvent.objects.get(action="parties.outage.unlink")
    assert audit.reason == "该户是欠费停电" and audit.extra["cases"] == [number]
    # The reporter hears that the case goes on by itself, without the handlers' reason.
    told = Message.objects.filter(
        event=EventType.CASE_UPDATE, target=f"cases.case:{number}", channel="sms"
    )
    unlinked = Case.objects.get(number=number)
    assert unlinked.reporter_phone
    assert told.count() == 1 and told.get().address == unlinked.reporter_phone
    assert "继续单独办理" in told.get().body and "欠费" not in told.get().body
    # Closing no longer touches it; a closed outage's links stay as they are.
    state = Case.objects.get(number=number).state
    s.outage_close(actor=demo.users["gongdian"], outage=outage, expected_version=1, note="已恢复")
    assert Case.objects.get(number=number).state == state
    other = OutageCase.objects.filter(outage=outage).select_related("case").first()
    assert other is not None
    with pytest.raises(DomainError):
        s.outage_unlink(
            actor=demo.users["gongdian"], outage=outage, number=other.case.number, reason="x"
        )


def test_unlink_through_the_api_and_the_page(login: Any, demo: Any) -> None:
    outage = _outage()
    numbers = list(
        OutageCase.objects.filter(outage=outage)
        .order_by("id")
        .values_list("case__number", flat=True)
    )
    client = login("gongdian")
    assert "unlink" in client.get(f"/api/parties/outages/{outage.pk}").json()["allowed"]
    assert "unlink" not in login("wuye").get(f"/api/parties/outages/{outage.pk}").json()["allowed"]
    other = login("cb-office")
    r = _post(
        other, f"/api/parties/outages/{outage.pk}/unlink", {"number": numbers[0], "reason": "x"}
    )
    assert r.status_code == 404
    assert (
        other.post(f"/parties/outages/{outage.pk}/unlink/", {"number": numbers[0]}).status_code
        == 404
    )
    client = login("gongdian")
    r = _post(
        client, f"/api/parties/outages/{outage.pk}/unlink", {"number": numbers[0], "reason": " "}
    )
    assert r.status_code == 422 and "reason" in r.content.decode()
    r = _post(
        client,
        f"/api/parties/outages/{outage.pk}/unlink",
        {"number": numbers[0], "reason": "重复登记"},
    )
    assert r.status_code == 200, r.content
    assert numbers[0] not in {c["number"] for c in r.json()["cases"]}
    page = client.get(f"/parties/outages/{outage.pk}/").content.decode()
    assert "取消关联" in page and numbers[1] in page
    r = client.post(f"/parties/outages/{outage.pk}/unlink/", {"number": numbers[1], "reason": ""})
    assert r.status_code == 422 and OutageCase.objects.filter(case__number=numbers[1]).exists()
    r = client.post(
        f"/parties/outages/{outage.pk}/unlink/", {"number": numbers[1], "reason": "非本次停电"}
    )
    assert r.status_code == 302
    assert not OutageCase.objects.filter(case__number=numbers[1]).exists()
    wuye = login("wuye")
    assert (
        wuye.post(
            f"/parties/outages/{outage.pk}/unlink/", {"number": numbers[2], "reason": "x"}
        ).status_code
        == 404
    )
