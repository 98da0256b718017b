"""The dashboards through their doors: the page, the chart endpoints, the drill-down to
the ledger, and who may read what (units, streets, the other county, residents)."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any
from zoneinfo import ZoneInfo

import pytest
import time_machine

from gongzhi.cases import services as s
from gongzhi.cases.models import Case, State
from gongzhi.cases.selectors import unit_metrics
from gongzhi.org.models import Estate, User
from gongzhi.stats import rollup

pytestmark = pytest.mark.django_db
BJ = ZoneInfo("Asia/Shanghai")
T0 = dt.datetime(2027, 3, 9, 10, 0, tzinfo=BJ)
PERIOD = "start=2027-03-01&end=2027-03-31"


def u(name: str) -> User:
    return User.objects.get(username=name)


def fresh(case: Case) -> Case:
    return Case.objects.select_related("estate__community", "lead_unit", "level").get(pk=case.pk)


def register(now: dt.datetime, **kw: Any) -> Case:
    args: dict[str, Any] = {
        "channel": "12345",
        "estate": "JX-E001",
        "title": "楼道无人打扫",
        "description": "3号楼楼道垃圾一周无人清理",
        "matter_code": "JX-15-a",
        "reporter_name": "王秀英",
        "reporter_phone": "13905371234",
    }
    args.update(kw)
    with time_machine.travel(now, tick=False):
        return s.case_register(now=now, **args)


def numbers(html: str) -> set[str]:
    return set(re.findall(r"\d{6}-2027-\d{6}", html))


@pytest.fixture
def march(demo: Any) -> dict[str, Any]:
    """The property company's March 2027: one case handled and rated satisfied, one
    returned and overruled (buck-passing), one illegal build at another estate."""
    office, wuye = u("office"), u("wuye")
    one = register(T0, title="一号件")
    s.case_accept(case=fresh(one), actor=wuye, now=T0 + dt.timedelta(minutes=20))
    s.case_start(case=fresh(one), actor=wuye, now=T0 + dt.timedelta(hours=1))
    s.case_handle(case=fresh(one), actor=wuye, result="已清理", now=T0 + dt.timedelta(hours=2))
    s.case_feedback(case=fresh(one), actor=office, now=T0 + dt.timedelta(hours=3))
    s.case_rate(case=fresh(one), actor=office, rating="satisfied", now=T0 + dt.timedelta(hours=4))
    two = register(T0 + dt.timedelta(days=7), title="二号件")
    s.case_return(
        case=fresh(two),
        actor=wuye,
        reason="不属物业",
        claimed_matter_code="JX-04-a",
        now=T0 + dt.timedelta(days=7, hours=1),
    )
    s.case_overrule(
        case=fresh(two), actor=office, reason="属物业服务", now=T0 + dt.timedelta(days=7, hours=2)
    )
    three = register(
        T0 + dt.timedelta(days=14),
        estate="JX-E002",
        matter_code="JX-04-a",
        title="楼顶私搭乱建",
        description="顶楼住户在楼顶加盖房屋",
    )
    rollup.catch_up()
    return {"one": one, "two": two, "three": three, "unit": demo.units["pc:鸿泰"]}


def get(client: Any, url: str) -> Any:
    response = client.get(url)
    assert response.status_code == 200, (url, response.content[:300])
    return response.json()


def test_office_page_lists_the_charts_without_inline_script(march: Any, login: Any) -> None:
    client = login("office")
    response = client.get(f"/stats/?{PERIOD}")
    assert response.status_code == 200
    html = response.content.decode()
    for src in ("/api/stats/trend?by=month", "/api/stats/breakdown?by=street", "/api/stats/map"):
        assert src in html
    assert "vendor/echarts/echarts.min.js" in html and "js/stats.js" in html
    assert "<script>" not in html and " style=" not in html
    assert "响应率 = 按时签收 ÷ 受理数" in html  # the definitions, from the one template


def test_unit_figures_and_rates_equal_the_unit_metrics(march: Any, login: Any) -> None:
    unit = march["unit"]
    summary = get(login("wuye"), f"/api/stats/summary?{PERIOD}&unit={unit.code}")
    start = dt.datetime(2027, 3, 1, tzinfo=BJ)
    (m,) = unit_metrics(units=[unit], start=start, end=dt.datetime(2027, 4, 1, tzinfo=BJ))
    assert (summary["received"], summary["handled"], summary["buck_passing"]) == (3, 1, 1)
    assert (summary["received"], summary["handled"], summary["satisfied"]) == (
        m.received,
        m.handled,
        m.satisfied,
    )
    assert (summary["response_rate"], summary["resolve_rate"], summary["satisfaction_rate"]) == (
        m.response_rate,
        m.resolve_rate,
        m.satisfaction_rate,
    )
    page = login("wuye").get(f"/stats/unit/{unit.code}/?{PERIOD}")
    assert page.status_code == 200 and f"{m.response_rate}%" in page.content.decode()


def test_trends_add_up_to_the_summary(march: Any, login: Any) -> None:
    client = login("office")
    total = get(client, f"/api/stats/summary?{PERIOD}")["received"]
    assert total >= 4  # three dispatches and an overrule back, at least
    for by in ("week", "month"):
        points = get(client, f"/api/stats/trend?by={by}&{PERIOD}")
        assert sum(p["received"] for p in points) == total, by
    weeks = get(client, f"/api/stats/trend?by=week&{PERIOD}")
    assert len(weeks) == 3  # the weeks of 9, 16 and 23 March


def test_every_point_drills_down_to_the_ledger_filtered_the_same_way(
    march: Any, login: Any
) -> None:
    client = login("office")
    one, two, three = march["one"], march["two"], march["three"]
    units = get(client, f"/api/stats/breakdown?by=unit&{PERIOD}")
    pc = next(p for p in units if p["key"] == march["unit"].code)
    assert pc["received"] == 3  # two dispatches and the overrule back
    assert numbers(client.get(pc["ledger"]).content.decode()) == {one.number, two.number}
    ranking = get(client, f"/api/stats/ranking?kind=buck_passing&{PERIOD}")
    assert [p["key"] for p in ranking] == [march["unit"].code]
    assert numbers(client.get(ranking[0]["ledger"]).content.decode()) == {two.number}
    estates = get(client, f"/api/stats/breakdown?by=estate&{PERIOD}")
    e2 = next(p for p in estates if p["key"] == "JX-E002")
    assert numbers(client.get(e2["ledger"]).content.decode()) == {three.number}
    matters = get(client, f"/api/stats/breakdown?by=matter&{PERIOD}")
    illegal = next(p for p in matters if p["key"] == "JX-04-a")
    assert numbers(client.get(illegal["ledger"]).content.decode()) == {three.number}
    weeks = get(client, f"/api/stats/trend?by=week&{PERIOD}")
    assert numbers(client.get(weeks[-1]["ledger"]).content.decode()) == {three.number}
    streets = get(client, f"/api/stats/breakdown?by=street&{PERIOD}")
    listed: set[str] = set()
    for p in streets:
        listed |= numbers(client.get(p["ledger"]).content.decode())
    assert {one.number, two.number, three.number} <= listed


def test_map_counts_open_and_overdue_cases(march: Any, login: Any) -> None:
    with time_machine.travel(T0 + dt.timedelta(days=40), tick=False):
        client = login("office")
        points = {p["key"]: p for p in get(client, f"/api/stats/map?{PERIOD}")}
        listed = numbers(client.get(points["JX-E002"]["ledger_overdue"]).content.decode())
    assert all(k.startswith("JX-") for k in points)  # never the other county's estates
    open_now = Case.objects.filter(estate__code="JX-E002").exclude(
        state__in=(State.CLOSED, State.MERGED)
    )
    assert points["JX-E002"]["open"] == open_now.count()
    assert points["JX-E002"]["overdue"] >= 1  # the illegal build was never accepted
    e2 = Estate.objects.get(code="JX-E002")
    assert points["JX-E002"]["lat"] == pytest.approx(float(e2.latitude or 0))
    assert march["three"].number in listed


def test_a_unit_sees_its_own_figures_only(march: Any, login: Any, demo: Any) -> None:
    client = login("wuye")
    units = get(client, f"/api/stats/breakdown?by=unit&{PERIOD}")
    # The property company reads its estates' figures and its own.
    assert march["unit"].code in {p["key"] for p in units}
    zfj = login("zfj")
    keys = {p["key"] for p in get(zfj, f"/api/stats/breakdown?by=unit&{PERIOD}")}
    assert march["unit"].code not in keys
    other = demo.units["pc:鸿泰"].code
    assert zfj.get(f"/stats/unit/{other}/").status_code == 404
    assert zfj.get(f"/api/stats/summary?unit={other}").status_code == 404


def test_street_dashboard_for_those_who_read_the_street(march: Any, login: Any) -> None:
    street = "370829001000"  # 嘉祥街道
    assert login("jiedao").get(f"/stats/street/{street}/?{PERIOD}").status_code == 200
    assert login("office").get(f"/stats/street/{street}/?{PERIOD}").status_code == 200
    assert login("wuye").get(f"/stats/street/{street}/").status_code == 404
    data = get(login("jiedao"), f"/api/stats/summary?street={street}&{PERIOD}")
    assert data["received"] >= 3


def test_the_other_county_reads_nothing_of_this_one(march: Any, login: Any) -> None:
    for name in ("cb-office", "cb-auditor", "cb-wy"):
        client = login(name)
        keys = {p["key"] for p in get(client, f"/api/stats/breakdown?by=unit&{PERIOD}")}
        assert march["unit"].code not in keys, name
        assert get(client, f"/api/stats/summary?{PERIOD}")["received"] == 0, name
        assert client.get("/stats/street/370829001000/").status_code == 404
        assert client.get("/api/stats/summary?street=370829001000").status_code == 404
        assert client.get(f"/stats/unit/{march['unit'].code}/").status_code == 404
        assert not [
            k for k in (p["key"] for p in get(client, "/api/stats/map")) if k.startswith("JX")
        ]


def test_residents_and_strangers_get_nothing(march: Any, login: Any, client: Any) -> None:
    assert client.get("/api/stats/summary").status_code == 401
    assert client.get("/stats/").status_code == 302
    resident = login("resident")
    assert resident.get("/stats/").status_code == 404
    assert resident.get("/api/stats/summary").status_code == 404


def test_bad_input_is_a_422_by_field(march: Any, login: Any) -> None:
    client = login("office")
    response = client.get("/stats/?start=2027-03-31&end=2027-03-01&estate=NOPE")
    assert response.status_code == 422
    html = response.content.decode()
    assert "结束日期不能早于开始日期" in html and "小区编码不存在" in html
    response = client.get("/api/stats/trend?start=2027-13-01&end=2027-03-01")
    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "start"
    assert client.get("/cases/ledger/?metric=nonsense").status_code == 422


def test_the_map_is_kept_for_the_current_minute_only(march: Any, login: Any) -> None:
    # Issue 12: the map counts the scope's open cases, so each board's answer is kept
    # until the minute ends; a case closed meanwhile shows from the next minute on.
    at = T0 + dt.timedelta(days=40, seconds=5)
    with time_machine.travel(at, tick=False):
        client = login("office")
        before = {p["key"]: p["open"] for p in get(client, f"/api/stats/map?{PERIOD}")}
        Case.objects.filter(estate__code="JX-E002").exclude(
            state__in=(State.CLOSED, State.MERGED)
        ).update(state=State.CLOSED)
        kept = {p["key"]: p["open"] for p in get(client, f"/api/stats/map?{PERIOD}")}
    assert before["JX-E002"] >= 1 and kept == before
    with time_machine.travel(at + dt.timedelta(minutes=1), tick=False):
        fresh = {p["key"]: p["open"] for p in get(client, f"/api/stats/map?{PERIOD}")}
    assert fresh["JX-E002"] == 0


def test_the_map_counts_each_readers_open_cases_once(march: Any) -> None:
    """The map reads a reader's branches (areas, estates, units, own cases) as disjoint
    parts: per estate, the open and overdue cases the reader may read, each once, for
    readers whose branches overlap (a street office that is also a unit, the hotline's
    registrar) and for the other county's."""
    from django.db.models import Count, Q

    from gongzhi.cases.access import readable_cases, viewer
    from gongzhi.cases.models import OPEN_STATES
    from gongzhi.cases.selectors import overdue_q
    from gongzhi.stats.selectors import open_by_estate

    now = T0 + dt.timedelta(days=40)
    open_q = Q(state__in=OPEN_STATES)
    overlapping = 0
    for name in (
        "office", "jiedao", "zjj", "wuye", "yeweihui", "dispatcher", "convener", "cb-office",
    ):  # fmt: skip
        user = User.objects.get(username=name)
        direct = {
            row["estate_id"]: {"open": row["open"], "overdue": row["overdue"]}
            for row in readable_cases(user)
            .filter(open_q)
            .values("estate_id")
            .annotate(open=Count("id"), overdue=Count("id", filter=overdue_q(now)))
        }
        branches = viewer(user).readable_branches()
        assert open_by_estate(viewer(user).readable_parts(), open_q, now) == direct, name
        each = sum(Case.objects.filter(b & open_q).count() for b in branches)
        overlapping += each - sum(r["open"] for r in direct.values())
    assert overlapping > 0  # some case is in two branches of one reader
