"""The working calendar as data the office keeps: a year's notice imported (all or
nothing) overrides the package; a year with no data is flagged by the system check, the
status command and the office's home page; a change takes effect at once here and within
a minute in other processes."""

from __future__ import annotations

import datetime as dt
import io
from pathlib import Path

import chinese_calendar
import pytest
import time_machine
from django.core.checks import run_checks
from django.core.management import CommandError, call_command
from openpyxl import Workbook

from gongzhi.common import workcal
from gongzhi.common.calendar_files import read_xlsx, read_yaml
from gongzhi.common.errors import InvalidInput
from gongzhi.common.models import AuditEvent, CalendarDay
from gongzhi.common.services import calendar_import

SH = workcal.SHANGHAI
EXAMPLE = Path(workcal.__file__).parent / "data" / "calendar" / "example-2026.yaml"
# A made-up arrangement for tests: 2027 has no published notice in this project.
TEST_2027 = """year: 2027
source: 测试用安排（非官方）
days:
  - {from: 2027-01-01, to: 2027-01-03, kind: 放假, name: 元旦}
  - {from: 2027-02-06, to: 2027-02-12, kind: 放假, name: 春节}
  - {date: 2027-02-20, kind: 上班, name: 春节调休上班}
  - {date: 2027-04-05, kind: 放假, name: 清明节}
  - {from: 2027-05-01, to: 2027-05-05, kind: 放假, name: 劳动节}
  - {date: 2027-06-09, kind: 放假, name: 端午节}
  - {date: 2027-09-15, kind: 放假, name: 中秋节}
  - {from: 2027-10-01, to: 2027-10-07, kind: 放假, name: 国庆节}
"""
NEW_YEAR_2027 = dt.date(2027, 1, 1)  # a Friday


def write(tmp_path: Path, text: str, name: str = "2027.yaml") -> str:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return str(path)


@pytest.mark.django_db
def test_new_year_2027_is_not_a_working_day_after_import(tmp_path, capsys) -> None:
    start = dt.datetime(2026, 12, 31, 10, 0, tzinfo=SH)
    assert workcal.is_workday(NEW_YEAR_2027)  # no data: Monday–Friday
    assert workcal.add_workdays(start, 1).astimezone(SH).date() == NEW_YEAR_2027
    call_command("calendar", "import", write(tmp_path, TEST_2027))
    assert "已导入2027 年：新增 26 天" in capsys.readouterr().out
    assert not workcal.is_workday(NEW_YEAR_2027)
    assert workcal.add_workdays(start, 1).astimezone(SH).date() == dt.date(2027, 1, 4)
    # 6 working hours on 31 December, the other 2 on Monday 4 January.
    assert workcal.add_work_hours(start, 8).astimezone(SH) == dt.datetime(
        2027, 1, 4, 10, 30, tzinfo=SH
    )
    assert workcal.is_workday(dt.date(2027, 2, 20))  # a Saturday worked in lieu
    assert AuditEvent.objects.filter(action="calendar.import").count() == 1


@pytest.mark.django_db
def test_a_deadline_across_the_2026_national_day_still_works_with_rows_loaded() -> None:
    calendar_import(document=read_yaml(TEST_2027))
    start = dt.datetime(2026, 9, 30, 10, 0, tzinfo=SH)
    assert workcal.add_workdays(start, 1).astimezone(SH) == dt.datetime(
        2026, 10, 8, 17, 30, tzinfo=SH
    )
    assert workcal.add_workdays(start, 2).astimezone(SH).date() == dt.date(2026, 10, 9)
    assert workcal.add_workdays(start, 3).astimezone(SH).date() == dt.date(2026, 10, 10)


@pytest.mark.django_db
def test_the_example_file_agrees_with_the_package_every_day_of_2026() -> None:
    result = calendar_import(document=read_yaml(EXAMPLE.read_bytes()))
    assert (result.year, result.created) == (2026, 39)
    day = dt.date(2026, 1, 1)
    while day.year == 2026:
        assert workcal.is_workday(day) == chinese_calendar.is_workday(day), day
        day += dt.timedelta(days=1)


@pytest.mark.django_db
def test_rows_override_the_package_and_a_notice_replaces_its_year() -> None:
    text = "year: 2026\nsource: 本地\ndays:\n  - {date: 2026-11-24, kind: 放假, name: 本地放假}\n"
    calendar_import(document=read_yaml(text))
    assert not workcal.is_workday(dt.date(2026, 11, 24))  # a Tuesday
    other = "year: 2026\ndays:\n  - {date: 2026-11-29, kind: 上班, name: 调休}\n"
    result = calendar_import(document=read_yaml(other))
    assert result.removed == 1
    assert workcal.is_workday(dt.date(2026, 11, 24))
    assert workcal.is_workday(dt.date(2026, 11, 29))  # a Sunday


@pytest.mark.django_db
def test_the_old_overrides_file_imports_and_adds_days(tmp_path) -> None:
    calendar_import(document=read_yaml(TEST_2027))
    old = write(tmp_path, "holidays: [2027-03-03]\nworkdays: [2027-03-07]\n", "overrides.yaml")
    call_command("calendar", "import", old)
    assert not workcal.is_workday(dt.date(2027, 3, 3))
    assert workcal.is_workday(dt.date(2027, 3, 7))
    assert not workcal.is_workday(NEW_YEAR_2027)  # the notice's days stay


BAD = """year: 2027
days:
  - {date: 2027-01-01, kind: 放假, name: 元旦}
  - {date: 2027-02-30, kind: 放假, name: 春节}
  - {date: 2027-03-03, kind: 上班, name: 调休}
  - date: 2027-01-01
    kind: 休假
    name: 重复
  - {date: 2028-01-01, kind: 放假, name: 元旦}
"""


@pytest.mark.django_db
def test_a_bad_file_is_refused_row_and_column_and_changes_nothing(tmp_path, capsys) -> None:
    calendar_import(document=read_yaml(TEST_2027))
    before = list(CalendarDay.objects.values_list("date", "kind", "name"))
    with pytest.raises(InvalidInput) as caught:
        calendar_import(document=read_yaml(BAD))
    errors = {(e.row, e.column): e.message for e in caught.value.errors}
    assert errors[(4, "date")] == "日期“2027-02-30”无法识别，应写作 2027-01-01"
    assert errors[(5, "kind")].startswith("2027-03-03 是星期三，本来就上班")
    assert errors[(7, "kind")] == "类型应为“放假”或“上班”，而不是“休假”"
    assert errors[(9, "date")] == "2028-01-01 不在 2027 年：一个文件只写一年的安排"
    assert all(str(e).count("行") == 1 for e in caught.value.errors)
    with pytest.raises(CommandError, match="未导入任何内容"):
        call_command("calendar", "import", write(tmp_path, BAD))
    assert "第 4 行，“date”列：日期“2027-02-30”无法识别" in capsys.readouterr().err
    assert list(CalendarDay.objects.values_list("date", "kind", "name")) == before


def workbook(rows: list[list[object]]) -> bytes:
    wb = Workbook()
    ws = wb.active
    ws.title = "节假日"
    ws.append(["日期", "类型", "名称", "出处"])
    for row in rows:
        ws.append(row)
    buffer = io.BytesIO()
    wb.save(buffer)
    return buffer.getvalue()


@pytest.mark.django_db
def test_xlsx_import_and_its_errors() -> None:
    good = workbook(
        [
            [dt.date(2027, 1, 1), "放假", "元旦", "测试"],
            ["2027-01-02", "放假", "元旦", ""],
            ["2027/01/09", "上班", "", ""],
        ]
    )
    result = calendar_import(document=read_xlsx(good))
    assert (result.year, result.created) == (2027, 3)
    assert CalendarDay.objects.get(date=dt.date(2027, 1, 9)).name == "调休上班"
    assert CalendarDay.objects.get(date=dt.date(2027, 1, 1)).source == "测试"
    bad = workbook([[dt.date(2027, 1, 1), "放假", "", ""], ["明天", "放假", "元旦", ""]])
    with pytest.raises(InvalidInput) as caught:
        calendar_import(document=read_xlsx(bad))
    assert {(e.row, e.column) for e in caught.value.errors} == {(2, "C（名称）"), (3, "A（日期）")}
    assert CalendarDay.objects.count() == 3


@pytest.mark.django_db
def test_status_and_system_check_flag_a_year_without_data(tmp_path, capsys) -> None:
    with time_machine.travel(dt.datetime(2026, 6, 1, 9, 0, tzinfo=SH)):
        call_command("calendar", "status")
        out = capsys.readouterr().out
        assert "2026 年：完整；chinese-calendar 库" in out
        assert "2027 年：不完整；无数据：按周一至周五计算" in out
        warnings = [m for m in run_checks(databases=["default"]) if m.id == "gongzhi.W001"]
        assert [w.msg for w in warnings] == [
            "2027 年没有节假日数据：期限和会议日期按周一至周五计算，法定节假日会被当作工作日"
        ]
        # The check reads the database: it runs with migrate and check --database.
        assert not [m for m in run_checks() if m.id == "gongzhi.W001"]
        calendar_import(
            document=read_yaml(TEST_2027.replace("  - {date: 2027-06-09", "  - {date: 2027-06-10"))
        )
        call_command("calendar", "status")
        assert "2027 年：完整；本地记录 25 天放假、1 天调休上班" in capsys.readouterr().out
        assert not [m for m in run_checks(databases=["default"]) if m.id == "gongzhi.W001"]
    with time_machine.travel(dt.datetime(2027, 3, 1, 9, 0, tzinfo=SH)):
        messages = [m.msg for m in run_checks(databases=["default"]) if m.id == "gongzhi.W001"]
        assert messages == [
            "2028 年没有节假日数据：期限和会议日期按周一至周五计算，法定节假日会被当作工作日"
        ]


@pytest.mark.django_db
def test_an_incomplete_year_names_the_missing_festivals() -> None:
    calendar_import(
        document=read_yaml("year: 2027\ndays:\n  - {date: 2027-01-01, kind: 放假, name: 元旦}\n")
    )
    status = workcal.year_status(2027)
    assert not status.complete
    assert status.warning == "2027 年节假日数据不完整，缺少：春节、清明、劳动、端午、中秋、国庆"


@pytest.mark.django_db
def test_office_home_page_warns_about_an_uncovered_year(demo, login) -> None:
    with time_machine.travel(dt.datetime(2026, 11, 2, 9, 0, tzinfo=SH)):
        page = login("office").get("/").content.decode()
        assert "工作日历需要更新" in page and "2027 年没有节假日数据" in page
        assert "工作日历需要更新" not in login("zjj").get("/").content.decode()
        calendar_import(document=read_yaml(TEST_2027))
        assert "工作日历需要更新" not in login("office").get("/").content.decode()


@pytest.mark.django_db
def test_a_day_entered_in_the_admin_takes_effect_at_once(demo, login) -> None:
    client = login("admin")
    assert workcal.is_workday(dt.date(2027, 1, 1))
    url = "/admin/common/calendarday/add/"
    response = client.post(url, {"date": "2027-01-01", "kind": "holiday", "name": "元旦"})
    assert response.status_code == 302
    assert not workcal.is_workday(dt.date(2027, 1, 1))
    assert AuditEvent.objects.filter(action="calendar.day_create").count() == 1
    refused = client.post(url, {"date": "2027-01-06", "kind": "workday", "name": "调休"})
    assert refused.status_code == 200
    assert "2027-01-06 是星期三，本来就上班" in refused.content.decode()
    day = CalendarDay.objects.get(date=dt.date(2027, 1, 1))
    response = client.post(f"/admin/common/calendarday/{day.pk}/delete/", {"post": "yes"})
    assert response.status_code == 302
    assert workcal.is_workday(dt.date(2027, 1, 1))


@pytest.mark.django_db
def test_other_processes_see_a_change_within_a_minute(monkeypatch) -> None:
    assert workcal.is_workday(NEW_YEAR_2027)
    # Another process's write: the rows change, this process is not told.
    CalendarDay.objects.create(date=NEW_YEAR_2027, kind=CalendarDay.Kind.HOLIDAY, name="元旦")
    assert workcal.is_workday(NEW_YEAR_2027)
    later = workcal.time.monotonic() + workcal.MEMO_SECONDS + 1
    monkeypatch.setattr(workcal.time, "monotonic", lambda: later)
    assert not workcal.is_workday(NEW_YEAR_2027)


def test_the_old_setting_is_flagged(settings) -> None:
    settings.GONGZHI_WORKCAL_OVERRIDES = "/etc/gongzhi/holidays.yaml"
    (message,) = [m for m in run_checks() if m.id == "gongzhi.W002"]
    assert "gongzhi calendar import /etc/gongzhi/holidays.yaml" in (message.hint or "")
