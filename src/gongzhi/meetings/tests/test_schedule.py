"""Planned meetings fall on working days of the Chinese calendar: a holiday moves the
meeting to the next working day of the same month."""

from __future__ import annotations

import datetime as dt

import pytest

from gongzhi.common.errors import DomainError, InvalidInput, PermissionDenied
from gongzhi.meetings import services as s
from gongzhi.meetings.models import Meeting, Schedule
from gongzhi.meetings.schedule import planned_days
from gongzhi.org.models import Body, User
from gongzhi.org.services import body_create

D = dt.date


def _schedule(**kw: object) -> Schedule:
    base = {"rule": Schedule.Rule.MONTHLY, "week_of_month": 1, "weekday": 3}
    base.update(kw)
    return Schedule(**base)  # type: ignore[arg-type]


def test_monthly_first_thursday_skips_national_day() -> None:
    # 2026-10-01 is the first Thursday and a holiday (National Day, Oct 1–7).
    days = list(planned_days(_schedule(), D(2026, 9, 1), D(2026, 12, 31)))
    assert days == [D(2026, 9, 3), D(2026, 10, 8), D(2026, 11, 5), D(2026, 12, 3)]


def test_mid_autumn_and_spring_festival_move_to_next_working_day() -> None:
    # Last Friday of September 2026 is 25 Sep, the Mid-Autumn holiday → Monday 28 Sep.
    last_friday = _schedule(week_of_month=Schedule.LAST_WEEK, weekday=4)
    assert list(planned_days(last_friday, D(2026, 9, 1), D(2026, 9, 30))) == [D(2026, 9, 28)]
    # Third Monday of February 2026 is 16 Feb, in the Spring Festival → 24 Feb.
    third_monday = _schedule(week_of_month=3, weekday=0)
    assert list(planned_days(third_monday, D(2026, 2, 1), D(2026, 2, 28))) == [D(2026, 2, 24)]


def test_even_months_last_week_and_half_yearly() -> None:
    three_party = _schedule(rule=Schedule.Rule.EVEN_MONTHS_LAST_WEEK, weekday=3)
    assert list(planned_days(three_party, D(2026, 1, 1), D(2026, 12, 31))) == [
        D(2026, 2, 26),
        D(2026, 4, 30),
        D(2026, 6, 25),
        D(2026, 8, 27),
        D(2026, 10, 29),
        D(2026, 12, 31),
    ]
    half_yearly = _schedule(
        rule=Schedule.Rule.EVERY_N_MONTHS, interval_months=6, anchor_month=6, week_of_month=3
    )
    assert list(planned_days(half_yearly, D(2026, 1, 1), D(2026, 12, 31))) == [
        D(2026, 6, 18),
        D(2026, 12, 17),
    ]


@pytest.mark.django_db
def test_plan_through_the_service_is_idempotent_and_office_only(demo) -> None:
    body = body_create(
        name="测试街道联席会议",
        kind=Body.Kind.JOINT_CONFERENCE,
        jurisdiction=demo.jurisdictions["万张街道"],
    )
    office = User.objects.get(username="office")
    with pytest.raises(DomainError) as refused:
        s.meetings_plan(body=body, start=D(2026, 9, 1), end=D(2026, 12, 31), actor=office)
    assert refused.value.message == "该议事机构尚未设置会议周期"
    with pytest.raises(InvalidInput) as err:
        s.schedule_set(body=body, rule="weekly", weekday=6, week_of_month=9, actor=office)
    assert {e.field for e in err.value.errors} == {"rule", "weekday", "week_of_month"}
    with pytest.raises(PermissionDenied):
        s.schedule_set(body=body, rule="monthly", weekday=3, actor=User.objects.get(username="zjj"))
    s.schedule_set(
        body=body, rule="monthly", weekday=3, week_of_month=1, place="三楼", actor=office
    )
    made = s.meetings_plan(body=body, start=D(2026, 9, 1), end=D(2026, 12, 31), actor=office)
    assert [m.planned_date for m in made] == [
        D(2026, 9, 3),
        D(2026, 10, 8),
        D(2026, 11, 5),
        D(2026, 12, 3),
    ]
    assert made[1].starts_at.isoformat() == "2026-10-08T09:00:00+08:00"
    assert s.meetings_plan(body=body, start=D(2026, 9, 1), end=D(2026, 12, 31), actor=office) == []
    assert Meeting.objects.filter(body=body).count() == 4


@pytest.mark.django_db
def test_schedule_and_plan_through_the_body_page(demo, login) -> None:
    body = body_create(
        name="测试街道联席会议",
        kind=Body.Kind.JOINT_CONFERENCE,
        jurisdiction=demo.jurisdictions["万张街道"],
    )
    client = login("office")
    url = f"/meetings/bodies/{body.pk}/"
    bad = client.post(
        url,
        {
            "action": "schedule_set",
            "rule": "monthly",
            "weekday": "3",
            "week_of_month": "x",
            "notice_days": "3",
            "remind_days": "3",
            "start_time": "09:00",
        },
    )
    assert bad.status_code == 422
    assert "<td>week_of_month</td><td>应为整数</td>" in bad.content.decode()
    assert not Schedule.objects.filter(body=body).exists()
    ok = client.post(
        url,
        {
            "action": "schedule_set",
            "rule": "monthly",
            "weekday": "3",
            "week_of_month": "1",
            "notice_days": "3",
            "remind_days": "3",
            "start_time": "09:30",
            "place": "万张街道会议室",
        },
        follow=True,
    )
    assert "会议周期已保存" in ok.content.decode()
    assert "每月第1周星期四 09:30" in ok.content.decode()
    client.post(url, {"action": "meetings_plan", "start": "2026-10-01", "end": "2026-10-31"})
    html = client.get("/meetings/calendar/?month=2026-10").content.decode()
    assert "测试街道联席会议" in html
    assert Meeting.objects.get(body=body).planned_date == D(2026, 10, 8)
