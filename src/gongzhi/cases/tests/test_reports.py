"""The reports: the ledger page and its filters, reporter masking per role, the Excel
export, and the unit metrics with their drill-down, against a scripted case history."""

from __future__ import annotations

import datetime as dt
import io
import re
from typing import Any
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from openpyxl import load_workbook

from gongzhi.cases import access
from gongzhi.cases import services as s
from gongzhi.cases.exports import LEDGER_COLUMNS, ReporterVisibility
from gongzhi.cases.models import Case, RatingAppeal
from gongzhi.cases.reports import period_from
from gongzhi.cases.selectors import LedgerFilter, ledger
from gongzhi.org.models import User

pytestmark = pytest.mark.django_db
BJ = ZoneInfo("Asia/Shanghai")
# Far from the demo's own cases, so the figures below are only this test's.
T0 = dt.datetime(2027, 3, 9, 10, 0, tzinfo=BJ)  # a Tuesday
PERIOD = "start=2027-03-01&end=2027-03-31"
RANGE = "date_from=2027-03-01&date_to=2027-03-31"


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
        "building": "3",
        "room": "301",
    }
    args.update(kw)
    with time_machine.travel(now, tick=False):
        return s.case_register(now=now, **args)


def numbers(html: str) -> set[str]:
    return set(re.findall(r"\d{6}-2027-\d{6}", html))


@pytest.fixture
def three(demo: Any) -> dict[str, Case]:
    """Three cases of March 2027 that differ in every ledger filter."""
    a = register(T0, title="楼道保洁无人管甲")
    b = register(
        T0 + dt.timedelta(days=1),
        channel="visit",
        estate="JX-E002",
        matter_code="JX-04-a",
        title="楼顶私搭乱建乙",
        description="顶楼住户在楼顶加盖房屋",
        reporter_name="张三丰",
        reporter_phone="13800001111",
    )
    c = register(
        T0 + dt.timedelta(days=3),
        channel="online",
        estate="JX-E004",
        matter_code="JX-03-01",
        title="维修资金使用不公开丙",
        description="物业使用维修资金未公示",
        reporter_name="李四",
        reporter_phone="13700002222",
    )
    later = T0 + dt.timedelta(hours=1)
    s.case_accept(case=fresh(a), actor=u("wuye"), now=later)
    s.case_start(case=fresh(a), actor=u("wuye"), now=later)
    s.case_handle(case=fresh(a), actor=u("wuye"), result="已清理", now=later)
    return {"a": fresh(a), "b": fresh(b), "c": fresh(c)}


# --- ledger --------------------------------------------------------------------------------


def test_each_ledger_filter_narrows(three: dict[str, Case], login: Any) -> None:
    a, b, c = three["a"], three["b"], three["c"]

    def shown(query: str) -> set[str]:
        with time_machine.travel(T0 + dt.timedelta(days=20), tick=False):
            response = login("office").get(f"/cases/ledger/?{RANGE}&{query}")
        assert response.status_code == 200
        return numbers(response.content.decode())

    everything = {a.number, b.number, c.number}
    assert shown("") == everything
    assert shown("estate=JX-E002") == {b.number}
    assert c.lead_unit is not None
    assert shown(f"unit={c.lead_unit.code}") == {c.number}
    assert shown("matter=JX-04-a") == {b.number}
    assert shown("state=handled") == {a.number}
    assert shown("channel=visit") == {b.number}
    assert shown("date_from=2027-03-11&date_to=2027-03-31") == {c.number}
    assert shown("date_from=2027-03-01&date_to=2027-03-09") == {a.number}
    assert shown("q=私搭乱建") == {b.number}
    assert shown(f"q={c.number}") == {c.number}
    # Twenty days on, the two cases never accepted are past their limits; the handled
    # one is not.
    assert shown("overdue=1") == {b.number, c.number}


def test_bad_filter_shows_the_form_with_chinese_errors(demo: Any, login: Any) -> None:
    response = login("office").get("/cases/ledger/?date_from=2027-13-01&state=nonsense")
    assert response.status_code == 422
    html = response.content.decode()
    assert "日期格式应为 YYYY-MM-DD" in html
    assert "未知状态" in html
    assert 'name="date_from"' in html  # the form is there to correct
    response = login("office").get(
        "/cases/ledger/?date_from=2027-03-31&date_to=2027-03-01&channel=fax"
    )
    assert response.status_code == 422
    html = response.content.decode()
    assert "结束日期不能早于开始日期" in html and "未知来源渠道" in html
    export = login("office").get("/cases/ledger.xlsx?date_to=3月1日")
    assert export.status_code == 422
    assert "日期格式应为 YYYY-MM-DD" in export.content.decode()


def test_ledger_masks_the_reporter_except_for_office_and_handlers(
    three: dict[str, Case], login: Any
) -> None:
    b = three["b"]  # reported by 张三丰 13800001111, led by the urban enforcement bureau
    for username, full in (("office", True), ("zfj", True), ("auditor", False)):
        html = login(username).get(f"/cases/ledger/?{RANGE}&q={b.number}").content.decode()
        assert b.number in html, username
        if full:
            assert "13800001111" in html and "张三丰" in html, username
        else:
            assert "138****1111" in html and "张**" in html, username
            assert "13800001111" not in html and "张三丰" not in html
    # The room number is personal too.
    a = three["a"]
    assert "301室" in login("office").get(f"/cases/ledger/?q={a.number}").content.decode()
    assert "301室" not in login("auditor").get(f"/cases/ledger/?q={a.number}").content.decode()


def test_ledger_rows_description_tooltip_is_masked_like_the_summary(demo: Any, login: Any) -> None:
    # The row's tooltip (its description) showed the stored text whole to every reader:
    # a room and a phone written in the description reached a property company.
    case = register(T0, description="8号楼501室漏水，请联系13905371234")
    for username, whole in (("office", True), ("auditor", False)):
        html = login(username).get(f"/cases/ledger/?q={case.number}").content.decode()
        tooltip = re.search(r'class="wide" title="([^"]*)"', html)
        assert tooltip is not None, username
        if whole:
            assert "501" in tooltip.group(1) and "13905371234" in tooltip.group(1)
        else:
            assert tooltip.group(1) == "8号楼***室漏水，请联系139****1234"
            assert "501室" not in html and "13905371234" not in html


@pytest.mark.parametrize("username", ["office", "auditor", "zfj", "wuye", "zjj", "resident"])
def test_row_masking_agrees_with_the_access_rule(
    three: dict[str, Case], username: str, demo: Any
) -> None:
    user = u(username)
    vis = ReporterVisibility.for_user(user)
    rows = list(vis.prepare(ledger(user, LedgerFilter())))
    for case in rows:
        assert vis.sees(case) == access.can_see_reporter(user, case), (username, case.number)


def test_assisting_unit_sees_the_reporter(three: dict[str, Case], login: Any, demo: Any) -> None:
    b = three["b"]
    s.case_accept(case=fresh(b), actor=u("zfj"), now=T0 + dt.timedelta(days=1))
    s.case_joint_request(
        case=fresh(b),
        actor=u("zfj"),
        units=[demo.units["housing_bureau"]],
        instructions="请派员到场",
        now=T0 + dt.timedelta(days=1),
    )
    html = login("zjj").get(f"/cases/ledger/?q={b.number}").content.decode()
    assert "13800001111" in html


def test_ledger_page_queries_do_not_grow_with_rows(three: dict[str, Case], login: Any) -> None:
    client = login("zfj")
    client.get("/cases/ledger/")  # warm caches (scope, sessions)
    with CaptureQueriesContext(connection) as one:
        response = client.get(f"/cases/ledger/?{RANGE}")
    assert numbers(response.content.decode()) == {three["b"].number}
    for i in range(6):
        register(T0 + dt.timedelta(minutes=i), matter_code="JX-04-a", title=f"违建{i}")
    with CaptureQueriesContext(connection) as many:
        response = client.get(f"/cases/ledger/?{RANGE}")
    assert len(numbers(response.content.decode())) >= 7
    assert len(many.captured_queries) == len(one.captured_queries)


def test_ledger_count_is_capped_and_says_so(
    three: dict[str, Case], login: Any, monkeypatch: Any
) -> None:
    # Issue 12: the page counts at most COUNT_CAP rows; above it it says "more than" and
    # pages stop at the cap, rather than counting ten million rows on every view.
    from gongzhi.cases import reports, selectors

    def page(query: str) -> str:
        with time_machine.travel(T0 + dt.timedelta(days=20), tick=False):
            response = login("office").get(f"/cases/ledger/?{RANGE}{query}")
        assert response.status_code == 200
        return response.content.decode()

    html = page("")
    assert "共 3 件" in html and "超过" not in html
    monkeypatch.setattr(selectors, "COUNT_CAP", 2)
    html = page("")
    assert "超过 2 件" in html and "共 3 件" not in html
    assert "分页只列出前 2 件" in html
    monkeypatch.setattr(reports, "PAGE_SIZE", 1)
    html, beyond = page("&page=2"), page("&page=3")
    assert "第 2 / 2+ 页" in html
    # Beyond the cap the last counted page is shown (Paginator.get_page), not the third row.
    assert numbers(beyond) == numbers(html) == {three["b"].number}


def test_estate_filter_offers_the_estates_the_account_works_for(demo: Any, login: Any) -> None:
    # A property company is offered its own estates, the county office every estate of
    # its county (issue 12: the page's cost follows what the account may see).
    def offered(name: str) -> set[str]:
        html = login(name).get("/cases/ledger/").content.decode()
        select = html.split('name="estate"', 1)[1].split("</select>", 1)[0]
        return set(re.findall(r'<option value="([^"]+)"', select))

    assert offered("wuye") == {"JX-E001", "JX-E004"}  # 鸿泰 manages these two
    assert {"JX-E001", "JX-E002", "JX-E005"} <= offered("office")
    assert "CB-E001" not in offered("office")


def test_ledger_dropdowns_are_kept_per_account_and_show_new_rows(demo: Any, login: Any) -> None:
    # The dropdowns are rendered once per account scope and kept (cases.ledger_choices):
    # accounts viewed in turn each keep their own, and a new estate or unit shows at once.
    from gongzhi.org.services import estate_create, unit_create

    def offered(name: str, field: str = "estate", **params: str) -> set[str]:
        html = login(name).get("/cases/ledger/", params).content.decode()
        select = html.split(f'name="{field}"', 1)[1].split("</select>", 1)[0]
        return set(re.findall(r'<option value="([^"]+)"', select))

    wuye, office = offered("wuye"), offered("office")
    assert wuye == {"JX-E001", "JX-E004"}
    assert offered("yeweihui") == {"JX-E001"}  # 曾子花园's owners' committee
    assert offered("wuye") == wuye and offered("office") == office
    assert offered("wuye", "unit") == {demo.units["pc:鸿泰"].code}
    # From the cache: the second view asks the database for none of the three lists.
    with CaptureQueriesContext(connection) as ctx:
        html = login("wuye").get("/cases/ledger/?estate=JX-E004&matter=JX-04-a").content.decode()
    lists = (
        'SELECT "org_estate"."code", "org_estate"."name"',
        'SELECT DISTINCT "catalog_mattertype"',
    )
    assert not [q for q in ctx.captured_queries if q["sql"].startswith(lists)]
    assert '<option value="JX-E004" selected>' in html
    assert '<option value="JX-E001">' in html
    assert re.search(r'<option value="JX-04-a" selected>JX-04-a ', html)

    estate_create(
        code="JX-E901",
        name="新建小区",
        community=demo.estates["JX-E001"].community,
        property_company=demo.units["pc:鸿泰"],
    )
    assert offered("wuye") == wuye | {"JX-E901"}
    assert offered("office") == office | {"JX-E901"}
    assert offered("yeweihui") == {"JX-E001"}
    housing = demo.units["housing_bureau"]
    unit_create(
        code="JX-NEW-UNIT", name="新设单位", kind=housing.kind_id, jurisdiction=housing.jurisdiction
    )
    assert "JX-NEW-UNIT" in offered("office", "unit")
    assert "JX-NEW-UNIT" not in offered("wuye", "unit")


def test_reading_by_task_is_the_same_listed_by_id_or_by_exists(
    three: dict[str, Case], demo: Any, monkeypatch: Any
) -> None:
    # A unit's cases by task are named by id when few (so PostgreSQL can combine indexes),
    # by an EXISTS beyond; both read the same cases.
    b = three["b"]
    power = demo.units["utility_power"]

    def readable() -> set[int]:
        return set(access.readable_cases(u("gongdian")).values_list("pk", flat=True))

    assert b.pk not in readable()
    s.case_accept(case=fresh(b), actor=u("zfj"), now=T0 + dt.timedelta(days=1))
    s.case_joint_request(
        case=fresh(b),
        actor=u("zfj"),
        units=[power],
        instructions="请核查供电线路",
        now=T0 + dt.timedelta(days=1),
    )
    inline = readable()
    monkeypatch.setattr(access, "TASK_IDS_INLINE", 0)
    assert b.pk in inline
    assert readable() == inline


# --- Excel ---------------------------------------------------------------------------------


def _sheet(content: bytes) -> list[tuple]:
    wb = load_workbook(io.BytesIO(content))
    return list(wb.active.iter_rows(values_only=True))


def test_ledger_xlsx_has_title_header_rows_and_masking(three: dict[str, Case], login: Any) -> None:
    a, b = three["a"], three["b"]
    response = login("office").get(f"/cases/ledger.xlsx?{RANGE}")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    rows = _sheet(response.content)
    assert "物业管理诉求台账" in rows[0][0] and "导出时间" in rows[0][0]
    assert list(rows[1]) == [header for _k, header, _w in LEDGER_COLUMNS]
    body = {row[0]: row for row in rows[2:]}
    assert set(body) == {a.number, b.number, three["c"].number}
    header = rows[1]
    row_a = dict(zip(header, body[a.number], strict=True))
    assert row_a["联系电话"] == "13905371234"
    assert row_a["状态"] == "已办结"
    assert row_a["办理结果"] == "已清理"
    # Dates are Excel dates at Beijing wall-clock time.
    assert row_a["登记时间"].replace(tzinfo=BJ) == T0
    assert row_a["办结时间"].replace(tzinfo=BJ) == T0 + dt.timedelta(hours=1)
    wb = load_workbook(io.BytesIO(response.content))
    assert wb.active.freeze_panes == "A3"
    assert wb.active["A2"].font.b

    masked = _sheet(login("auditor").get(f"/cases/ledger.xlsx?{RANGE}").content)
    row_b = dict(zip(masked[1], {r[0]: r for r in masked[2:]}[b.number], strict=True))
    assert row_b["联系电话"] == "138****1111" and row_b["诉求人"] == "张**"


# --- metrics -------------------------------------------------------------------------------


@pytest.fixture
def history(demo: Any) -> dict[str, Any]:
    """The property company's March 2027, through the services:
    1. dispatched, accepted on time, handled, fed back, rated satisfied;
    2. returned, overruled by the office (buck-passing), then accepted late;
    3. accepted, handled, rated dissatisfied (reopened), the rating appealed and upheld."""
    office, wuye = u("office"), u("wuye")
    t = T0
    one = register(t, title="一号件")
    s.case_accept(case=fresh(one), actor=wuye, now=t + dt.timedelta(minutes=20))
    s.case_start(case=fresh(one), actor=wuye, now=t + dt.timedelta(hours=1))
    s.case_handle(case=fresh(one), actor=wuye, result="已清理", now=t + dt.timedelta(hours=2))
    s.case_feedback(case=fresh(one), actor=office, now=t + dt.timedelta(hours=3))
    s.case_rate(
        case=fresh(one),
        actor=office,
        rating="satisfied",
        now=t + dt.timedelta(hours=4),
    )

    two = register(t, title="二号件")
    s.case_return(
        case=fresh(two),
        actor=wuye,
        reason="楼顶违建不属物业",
        claimed_matter_code="JX-04-a",
        now=t + dt.timedelta(hours=1),
    )
    s.case_overrule(
        case=fresh(two), actor=office, reason="楼道保洁属物业服务", now=t + dt.timedelta(hours=2)
    )
    s.case_accept(case=fresh(two), actor=wuye, now=t + dt.timedelta(days=10))

    three = register(t, title="三号件")
    s.case_accept(case=fresh(three), actor=wuye, now=t + dt.timedelta(minutes=30))
    s.case_start(case=fresh(three), actor=wuye, now=t + dt.timedelta(hours=1))
    s.case_handle(case=fresh(three), actor=wuye, result="已清理", now=t + dt.timedelta(hours=2))
    s.case_feedback(case=fresh(three), actor=office, now=t + dt.timedelta(hours=3))
    s.case_rate(
        case=fresh(three),
        actor=office,
        rating="dissatisfied",
        reason="没扫干净",
        now=t + dt.timedelta(hours=4),
    )
    return {"one": one, "two": two, "three": three, "unit": demo.units["pc:鸿泰"]}


def _row(response: Any, unit_name: str) -> Any:
    rows = [m for m in response.context["rows"] if m.unit.name == unit_name]
    assert len(rows) == 1
    return rows[0]


def test_metrics_match_the_scripted_history(history: dict[str, Any], login: Any) -> None:
    unit = history["unit"]
    client = login("office")
    response = client.get(f"/cases/metrics/?{PERIOD}")
    assert response.status_code == 200
    m = _row(response, unit.name)
    # received: three dispatches, one overrule back, one reopen.
    assert (m.received, m.accepted, m.accepted_on_time) == (5, 3, 2)
    assert (m.handled, m.rated, m.satisfied) == (2, 2, 1)
    assert (m.returned, m.buck_passing, m.reopened, m.overdue) == (1, 1, 1, 0)
    assert (m.response_rate, m.resolve_rate, m.satisfaction_rate) == (40.0, 40.0, 50.0)
    html = response.content.decode()
    assert unit.name in html and "50.0%" in html

    # The unit appeals the dissatisfied rating; upheld, it leaves 满意率.
    appeal = s.case_appeal(case=fresh(history["three"]), actor=u("wuye"), reason="已按标准清扫")
    s.case_appeal_decide(case=fresh(appeal.case), actor=u("office"), upheld=True, reason="复查属实")
    assert RatingAppeal.objects.get(pk=appeal.pk).state == RatingAppeal.AppealState.UPHELD
    m = _row(client.get(f"/cases/metrics/?{PERIOD}"), unit.name)
    assert (m.rated, m.satisfied, m.satisfaction_rate) == (1, 1, 100.0)


def test_drill_down_lists_the_cases_behind_each_figure(history: dict[str, Any], login: Any) -> None:
    one, two, three = history["one"], history["two"], history["three"]
    client = login("office")
    code = history["unit"].code

    def listed(metric: str) -> set[str]:
        response = client.get(f"/cases/metrics/{code}/{metric}/?{PERIOD}")
        assert response.status_code == 200
        return numbers(response.content.decode())

    assert listed("received") == {one.number, two.number, three.number}
    assert listed("accepted_on_time") == {one.number, three.number}
    assert listed("handled") == {one.number, three.number}
    assert listed("satisfied") == {one.number}
    assert listed("rated") == {one.number, three.number}
    assert listed("returned") == {two.number}
    assert listed("buck_passing") == {two.number}
    assert listed("reopened") == {three.number}
    assert listed("overdue") == set()
    # The figure on the metrics page links to its drill-down.
    page = client.get(f"/cases/metrics/?{PERIOD}").content.decode()
    assert f"/cases/metrics/{code}/buck_passing/?{PERIOD}" in page.replace("&amp;", "&")
    assert client.get(f"/cases/metrics/{code}/nonsense/?{PERIOD}").status_code == 404


def test_a_unit_sees_its_own_figures_only(history: dict[str, Any], login: Any, demo: Any) -> None:
    client = login("wuye")
    response = client.get(f"/cases/metrics/?{PERIOD}&all=1")
    names = {m.unit.name for m in response.context["rows"]}
    assert names == {history["unit"].name}
    other = demo.units["urban_enforcement"].code
    assert client.get(f"/cases/metrics/{other}/received/?{PERIOD}").status_code == 404


def test_only_active_units_unless_all(history: dict[str, Any], login: Any) -> None:
    client = login("office")
    active = client.get(f"/cases/metrics/?{PERIOD}").context["rows"]
    everyone = client.get(f"/cases/metrics/?{PERIOD}&all=1").context["rows"]
    assert len(everyone) > len(active) >= 1
    assert all(m.received or m.handled or m.returned or m.rated for m in active)


def test_metrics_xlsx(history: dict[str, Any], login: Any) -> None:
    response = login("office").get(f"/cases/metrics.xlsx?{PERIOD}")
    assert response.status_code == 200
    rows = _sheet(response.content)
    assert "2027-03-01 至 2027-03-31" in rows[0][0]
    assert rows[1][:4] == ("单位", "受理数", "按时签收", "响应率(%)")
    row = next(r for r in rows[2:] if r[0] == history["unit"].name)
    assert row[1:4] == (5, 2, 40.0)


def test_metrics_bad_dates(demo: Any, login: Any) -> None:
    client = login("office")
    response = client.get("/cases/metrics/?start=2027-03-31&end=2027-03-01")
    assert response.status_code == 422
    assert "结束日期不能早于开始日期" in response.content.decode()
    response = client.get("/cases/metrics/?preset=custom&start=03/01/2027&end=")
    assert response.status_code == 422
    html = response.content.decode()
    assert "日期格式应为 YYYY-MM-DD" in html and "请填写结束日期" in html


def test_period_presets() -> None:
    today = dt.date(2027, 2, 15)
    p = period_from({}, today)
    assert (p.preset, p.start, p.end) == ("month", dt.date(2027, 2, 1), today)
    p = period_from({"preset": "last_month"}, today)
    assert (p.start, p.end) == (dt.date(2027, 1, 1), dt.date(2027, 1, 31))
    p = period_from({"preset": "last_month"}, dt.date(2027, 1, 5))
    assert (p.start, p.end) == (dt.date(2026, 12, 1), dt.date(2026, 12, 31))
    p = period_from({"preset": "quarter"}, dt.date(2027, 8, 20))
    assert p.start == dt.date(2027, 7, 1)
    p = period_from({"preset": "year"}, today)
    assert p.start == dt.date(2027, 1, 1)
    start, end = period_from({"start": "2027-03-01", "end": "2027-03-31"}, today).bounds
    assert start == dt.datetime(2027, 3, 1, tzinfo=BJ)
    assert end == dt.datetime(2027, 4, 1, tzinfo=BJ)


def test_overdue_counts_the_sweeps_delay_records(demo: Any, login: Any) -> None:
    late = register(T0, title="无人签收件")
    s.case_sweep(now=T0 + dt.timedelta(days=5))
    unit = demo.units["pc:鸿泰"]
    client = login("office")
    m = _row(client.get(f"/cases/metrics/?{PERIOD}"), unit.name)
    html = client.get(f"/cases/metrics/{unit.code}/overdue/?{PERIOD}").content.decode()
    assert late.number in html
    # The figure and its drill-down agree (the sweep also finds the demo's own cases).
    found = re.search(r"共 (\d+) 件", html)
    assert found is not None
    total = int(found.group(1))
    assert m.overdue == total >= 1


@pytest.mark.parametrize("cap", [10_000, 5])
def test_a_page_picked_from_the_keys_is_the_ordered_page(
    demo: Any, monkeypatch: Any, cap: int
) -> None:
    # Issue 12: below the cap the ledger picks a page's ids from the (time, id) keys of
    # the rows it counted, above it it asks the database for the ordered slice; both must give the
    # rows the ordered query gives, for every account and every page.
    from gongzhi.cases import selectors

    monkeypatch.setattr(selectors, "COUNT_CAP", cap)
    for name in ("office", "jiedao", "zjj", "wuye", "resident", "cb-office"):
        for params in ({}, {"open": "1"}, {"state": "closed"}):
            user = User.objects.get(username=name)
            f = LedgerFilter.from_params(params)
            qs = ledger(user, f)
            expected = list(qs.values_list("pk", flat=True))
            # Read by the scope's parts (several for a unit or a company), whole, and whole
            # with the keys read at once (a narrow search's way).
            for pages in (
                selectors.ledger_pages(user, f),
                selectors.LedgerPages(qs),
                selectors.LedgerPages(qs, keys_first=True),
            ):
                assert pages.found == min(len(expected), cap + 1), name
                for offset in range(0, len(expected) + 3, 3):
                    rows = pages.rows(offset, 3)
                    got = [c.pk for c in rows]
                    assert got == expected[offset : offset + 3], (name, params, offset)


def test_the_ledger_parts_split_the_readers_cases(demo: Any) -> None:
    # Each case the reader may read is in exactly one part of its scope, in both counties.
    from gongzhi.cases.access import readable_cases, viewer

    several = 0
    for user in User.objects.filter(is_active=True).order_by("username"):
        parts = viewer(user).readable_parts()
        several += len(parts) > 1
        ids = [
            pk for part in parts for pk in Case.objects.filter(part).values_list("pk", flat=True)
        ]
        assert len(ids) == len(set(ids)), user.username
        assert set(ids) == set(readable_cases(user).values_list("pk", flat=True)), user.username
    assert several >= 5
