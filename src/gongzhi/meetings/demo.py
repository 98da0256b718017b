"""Demo part for meetings (see gongzhi/demo.py): a monthly conference for each street
(003 三(二), 000 三(一)), a three-party meeting in two communities (002 (一)第三条: last
week of every even month), a half-yearly schedule for the county leadership group; the
嘉祥街道 conference's last meeting (a week or more before "now") with signed minutes and
two decisions (one done, one overdue and escalated to the county), and its next meeting
with an approved agenda, the notice sent and a pending leave request. Dates follow
ctx.now, so the demo reads the same whenever it is built. While ``gongzhi demo`` serves,
``on_serve`` runs the meetings sweep in-process, as the cases part runs the cases sweep."""

from __future__ import annotations

import datetime as dt
import logging
import threading
from typing import TYPE_CHECKING

from gongzhi.common.workcal import SHANGHAI
from gongzhi.meetings import services as s
from gongzhi.meetings.models import Meeting, Schedule
from gongzhi.meetings.schedule import planned_days
from gongzhi.org.models import Body, BodyMember, Person, Post, Unit
from gongzhi.org.services import body_create, body_member_assign

if TYPE_CHECKING:
    from gongzhi.org.demo_context import DemoContext

log = logging.getLogger(__name__)
START = dt.date(2022, 2, 11)
# Decisions fall due by the day and meetings are missed by the day: every ten minutes
# is plenty (the Celery beat runs it hourly).
SWEEP_SECONDS = 600.0
STREET_COMMUNITIES = {
    "嘉祥街道": ["建设路社区", "嘉宁社区"],
    "卧龙山街道": ["卧龙山社区"],
    "万张街道": ["万张社区"],
}


def _head(unit: Unit) -> Person | None:
    post = Post.objects.filter(unit=unit, role=Post.Role.HEAD, end_date__isnull=True).first()
    return post.person if post else None


def _street_body(ctx: DemoContext, street: str) -> Body:
    office = ctx.units[f"street:{street}"]
    body = body_create(
        name=f"{street}物业管理联席会议",
        kind=Body.Kind.JOINT_CONFERENCE,
        jurisdiction=ctx.jurisdictions[street],
        office_unit=office,
        duties="听取辖区物业服务企业、业主委员会和有关部门履职情况，分析需多部门联合执法的案件，"
        "协调解决物业管理矛盾纠纷（003 三(二)）",
        source="003 三(二)；000 三(一)",
    )
    body_member_assign(
        body=body,
        role=BodyMember.Role.CONVENER,
        unit=office,
        person=_head(office),
        title="办事处主任",
        start_date=START,
        sort=0,
    )
    units = [office, ctx.units.get(f"police:{street}")]
    for community in STREET_COMMUNITIES[street]:
        units.append(ctx.units.get(f"rc:{community}"))
    companies = {
        e.property_company_id
        for e in ctx.estates.values()
        if e.community.parent_id == ctx.jurisdictions[street].pk and e.property_company_id
    }
    units += list(Unit.objects.filter(pk__in=companies).order_by("code"))
    units += [
        u
        for e in ctx.estates.values()
        if e.community.parent_id == ctx.jurisdictions[street].pk
        for u in [e.owners_committee]
    ]
    units += [
        ctx.units.get("housing_bureau"),
        ctx.units.get("urban_enforcement"),
        ctx.units.get("market_regulation"),
    ]
    seen: set[int] = set()
    for sort, unit in enumerate(units, start=1):
        if unit is None or unit.pk in seen:
            continue
        seen.add(unit.pk)
        body_member_assign(
            body=body, role=BodyMember.Role.MEMBER, unit=unit, start_date=START, sort=sort
        )
    s.schedule_set(
        body=body,
        rule=Schedule.Rule.MONTHLY,
        week_of_month=2,
        weekday=Schedule.Weekday.WED,
        start_time=dt.time(9, 0),
        place=f"{street}办事处三楼会议室",
        notice_days=3,
        remind_days=3,
        source="003 三(二)：一般每月召开一次",
    )
    return body


def _three_party(ctx: DemoContext, community: str, estate_code: str) -> Body:
    rc = ctx.units[f"rc:{community}"]
    estate = ctx.estates[estate_code]
    body = body_create(
        name=f"{community}三方联席会议",
        kind=Body.Kind.THREE_PARTY,
        jurisdiction=ctx.jurisdictions[community],
        office_unit=rc,
        duties="沟通三方情况，研究处理倾向性、普遍性意见建议，协调解决物业管理中的矛盾问题"
        "（002 (一)第二条）",
        source="002 (一)",
    )
    for sort, unit in enumerate((rc, estate.owners_committee, estate.property_company), 1):
        if unit is not None:
            body_member_assign(
                body=body, role=BodyMember.Role.MEMBER, unit=unit, start_date=START, sort=sort
            )
    s.schedule_set(
        body=body,
        rule=Schedule.Rule.EVEN_MONTHS_LAST_WEEK,
        weekday=Schedule.Weekday.THU,
        start_time=dt.time(15, 0),
        place=f"{community}党群服务中心",
        notice_days=3,
        source="002 (一)第三条：一般在每个双月最后一周召开",
    )
    return body


def build(ctx: DemoContext) -> None:
    if ctx.county is None or "street:嘉祥街道" not in ctx.units:
        return
    now = ctx.now
    today = now.astimezone(SHANGHAI).date()
    year_end = dt.date(today.year, 12, 31)
    group = Body.objects.filter(kind=Body.Kind.LEADERSHIP_GROUP, jurisdiction=ctx.county).first()
    if group is not None:
        s.schedule_set(
            body=group,
            rule=Schedule.Rule.EVERY_N_MONTHS,
            interval_months=6,
            anchor_month=6,
            week_of_month=3,
            weekday=Schedule.Weekday.THU,
            start_time=dt.time(15, 0),
            place="县政府第二会议室",
            notice_days=5,
            source="000 三(四)1：原则上每半年召开一次",
        )
        s.meetings_plan(body=group, start=today, end=max(year_end, today + dt.timedelta(days=62)))
    plan_end = max(year_end, today + dt.timedelta(days=62))
    bodies = {street: _street_body(ctx, street) for street in STREET_COMMUNITIES}
    three = [_three_party(ctx, "建设路社区", "JX-E001"), _three_party(ctx, "卧龙山社区", "JX-E004")]
    jx = bodies["嘉祥街道"]
    # The 嘉祥街道 plan starts with the last meeting at least a week back, which the demo
    # then holds; the others start today.
    past_days = list(
        planned_days(jx.schedule, today - dt.timedelta(days=70), today - dt.timedelta(days=7))
    )
    s.meetings_plan(body=jx, start=past_days[-1] if past_days else today, end=plan_end)
    for body in [*bodies.values(), *three]:
        if body != jx:
            s.meetings_plan(body=body, start=today, end=plan_end)
    _history(ctx, jx)


def _at(day: dt.date, hour: int, minute: int = 0) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(hour, minute), tzinfo=SHANGHAI)


def _history(ctx: DemoContext, body: Body) -> None:
    """The last meeting (held, minutes sent, two decisions) and the next one (agenda
    approved, notice sent, a leave request waiting for the convener)."""
    meetings = list(Meeting.objects.filter(body=body).order_by("starts_at"))
    past = [m for m in meetings if m.starts_at < ctx.now]
    future = [m for m in meetings if m.starts_at >= ctx.now]
    if not past or not future:
        return
    held, upcoming = past[-1], future[0]
    office = ctx.units["street:嘉祥街道"]
    pc = ctx.units["pc:鸿泰"]
    rc = ctx.units["rc:建设路社区"]
    housing = ctx.units["housing_bureau"]
    enforcement = ctx.units["urban_enforcement"]
    day = held.starts_at.astimezone(SHANGHAI).date()
    today = ctx.now.astimezone(SHANGHAI).date()
    before = _at(day - dt.timedelta(days=7), 10)

    t1 = s.topic_propose(
        body=body,
        unit=pc,
        title="曾子花园地下车库电动车违规充电、占用消防通道问题",
        background="曾子花园 3 号、7 号楼地下车库长期有电动车飞线充电，消防通道被占用，"
        "物业多次劝阻无效。",
        ask="请会议研究由综合执法、消防、社区联合整治，并明确充电桩建设责任。",
        estates=[ctx.estates["JX-E001"]],
        actor=None,
    )
    t2 = s.topic_propose(
        body=body,
        unit=rc,
        title="老粮局宿舍无物业管理小区环境卫生托管",
        background="老粮局宿舍无物业服务企业、无业主委员会，垃圾清运不及时，居民反映强烈。",
        ask="请会议明确街道托管方式和费用来源。",
        estates=[ctx.estates["JX-E003"]],
        actor=None,
    )
    for t in (t1, t2):
        s.topic_review(topic=t, approve=True, actor=None)
        s.topic_schedule(topic=t, meeting=held, actor=None, now=before)
    s.meeting_notice_send(meeting=held, actor=None, now=before)
    rows = []
    for inv in held.invitations.select_related("unit"):
        status = "present"
        if inv.unit_id == ctx.units["market_regulation"].pk:
            status = "absent"
        rows.append(s.AttendanceRow(invitation_id=inv.pk, status=status))
    s.attendance_record(meeting=held, rows=rows, actor=None, now=held.starts_at)
    s.minutes_save(
        meeting=held,
        summary="会议由办事处主任主持，听取议题汇报，研究议定以下事项。",
        items=[
            s.MinutesItemIn(
                topic_id=t1.pk,
                report="鸿泰物业汇报了地下车库违规充电和消防通道占用情况。",
                views="综合执法局同意牵头联合整治；社区负责入户宣传。",
                conclusion="由县综合行政执法局牵头开展联合整治，街道配合；住建局督促建设充电设施。",
            ),
            s.MinutesItemIn(
                topic_id=t2.pk,
                report="建设路社区居委会汇报了老粮局宿舍环境卫生情况。",
                views="街道办同意先行托管。",
                conclusion="由街道办事处落实托管，社区居委会配合。",
            ),
        ],
        is_public=True,
        actor=None,
    )
    d_done = s.decision_add(
        meeting=held,
        topic=t2,
        title="老粮局宿舍环境卫生由街道托管",
        required_outcome="10 月底前落实保洁和垃圾清运，费用由街道统筹。",
        responsible_unit=office,
        cooperating_units=[rc],
        due_date=today + dt.timedelta(days=10),
        actor=None,
    )
    d_late = s.decision_add(
        meeting=held,
        topic=t1,
        title="曾子花园地下车库违规充电联合整治",
        required_outcome="清理飞线充电，恢复消防通道畅通，提交整治报告。",
        responsible_unit=enforcement,
        cooperating_units=[housing, office],
        due_date=today - dt.timedelta(days=3),
        actor=None,
    )
    s.minutes_sign(meeting=held, actor=None, now=held.starts_at + dt.timedelta(days=1))
    s.minutes_send(meeting=held, actor=None, now=held.starts_at + dt.timedelta(days=1))
    s.decision_progress_report(
        decision=d_late,
        text="已两次入户宣传，飞线充电减少，消防通道仍有占用。",
        actor=None,
        unit=enforcement,
    )
    s.decision_complete(
        decision=d_done,
        outcome="已确定保洁员 2 名，每日清运垃圾，居民满意。",
        actor=None,
        now=_at(day + dt.timedelta(days=5), 16),
    )
    s.meetings_sweep(now=ctx.now)
    d_late.refresh_from_db()
    s.decision_escalate(
        decision=d_late,
        actor=None,
        reason="涉及充电设施建设资金和多部门联合执法，街道层面无法协调，提请县领导小组研究。",
    )

    # The next meeting: an approved agenda, the notice sent, one topic waiting for the convener,
    # and the housing bureau asking for leave with its liaison as substitute.
    t3 = s.topic_propose(
        body=body,
        unit=housing,
        title="嘉宁小区物业服务企业退出交接",
        background="安居物业拟于年底退出嘉宁小区，交接方案尚未经业主大会确认。",
        ask="请会议明确交接期间的应急物业服务和街道监督责任。",
        estates=[ctx.estates["JX-E002"]],
        actor=None,
    )
    s.topic_review(topic=t3, approve=True, actor=None)
    s.topic_schedule(topic=t3, meeting=upcoming, actor=None, now=ctx.now)
    s.meeting_notice_send(meeting=upcoming, actor=None, now=ctx.now)
    s.topic_propose(
        body=body,
        unit=pc,
        title="卧龙山庄公共收益公示争议",
        background="部分业主对公共部位广告收益的公示数额有异议。",
        ask="请会议研究由街道组织三方核对并公示。",
        actor=None,
    )
    inv = upcoming.invitations.get(unit=housing)
    liaison = (
        Post.objects.filter(unit=housing, role=Post.Role.LIAISON, end_date__isnull=True)
        .select_related("person")
        .first()
    )
    if liaison is not None and upcoming.starts_at > ctx.now:
        s.leave_request(
            invitation=inv,
            reason="局长当日参加市住建局专题会议。",
            substitute=liaison.person,
            actor=None,
            now=ctx.now,
        )


def sweep_forever(stop: threading.Event, interval: float = SWEEP_SECONDS) -> None:
    """Sweep now and then every ``interval`` seconds until ``stop`` is set."""
    from django.db import close_old_connections

    while True:
        try:
            close_old_connections()
            result = s.meetings_sweep()
            log.info("meetings sweep: %s", result)
        except Exception:  # keep the demo's sweep alive; the next run tries again
            log.exception("meetings sweep failed")
        if stop.wait(interval):
            return


def on_serve() -> threading.Event:
    """Run the meetings sweep in-process while the demo serves; set the returned event
    to stop it."""
    stop = threading.Event()
    threading.Thread(
        target=sweep_forever, args=(stop,), name="gongzhi-meetings-sweep", daemon=True
    ).start()
    return stop
