"""Demo of coordinated problem solving (002 (二)) at 曾子花园 (JX-E001): a daily problem
that came from a case (the car-park lighting), with a home visit and the three parties'
agreed opinion; a major problem (the rain and sewage pipes) investigated with a residents'
talk, its proposal reported up and a first answer; at 老粮局宿舍 a historical problem
reported up; and a property-fee change that waits for the community party organisation's
invitation before it may be decided (第七条). Through the services, a handful of rows."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from gongzhi.org.demo_context import DemoContext
from gongzhi.problems import services as s
from gongzhi.problems.models import Consultation, EarlyMatter, Invitation, Tier


def build(ctx: DemoContext) -> None:
    if "JX-E001" not in ctx.estates or "juweihui" not in ctx.users:
        return
    build_daily(ctx)
    build_major(ctx)
    build_historical(ctx)
    build_early(ctx)


def _day(ctx: DemoContext, days_ago: int) -> dt.date:
    return timezone.localtime(ctx.now).date() - dt.timedelta(days=days_ago)


def build_daily(ctx: DemoContext) -> None:
    from gongzhi.cases.models import Case

    rc = ctx.users["juweihui"]
    case = Case.objects.filter(
        estate=ctx.estates["JX-E001"], title="地下车库照明大面积损坏"
    ).first()
    # i18n: data (demo content)
    title = "地下车库照明大面积损坏，夜间停车不便"
    if case is not None:
        p = s.problem_from_case(actor=rc, case=case, tier=Tier.DAILY, title=title, now=ctx.now)
    else:
        p = s.problem_raise(
            actor=rc, estate=ctx.estates["JX-E001"], tier=Tier.DAILY, title=title, now=ctx.now
        )
    s.consultation_record(
        actor=rc,
        problem=p,
        held_on=_day(ctx, 2),
        form=Consultation.Form.VISIT,
        # i18n: data (demo content)
        participants="社区居委会何丽（分管环物委）、业委会主任郑华、物业项目经理孔德明",
        summary="走访地下车库住户代表 6 户，照明损坏约一半，物业同意先行更换灯具。",
    )
    s.problem_transition(
        actor=rc,
        problem=p,
        move="agree",
        expected_version=p.version,
        # i18n: data (demo content)
        text="物业服务企业 7 日内更换全部损坏灯具，费用列入日常维修；业委会监督验收。",
        now=ctx.now,
    )


def build_major(ctx: DemoContext) -> None:
    rc, office = ctx.users["juweihui"], ctx.users["office"]
    p = s.problem_raise(
        actor=rc,
        estate=ctx.estates["JX-E001"],
        tier=Tier.MAJOR,
        # i18n: data (demo content)
        title="小区雨污管网老化，雨季低层住户返水",
        description="1–4 号楼雨污合流管老化，今年汛期 3 次返水。",
        now=ctx.now,
    )
    s.consultation_record(
        actor=rc,
        problem=p,
        held_on=_day(ctx, 5),
        form=Consultation.Form.TALK,
        # i18n: data (demo content)
        participants="社区居委会、小区党支部、环物委、业委会、物业服务企业、低层住户代表 8 人",
        summary="居民同意分段改造；改造费用拟申请使用专项维修资金，需另行表决。",
    )
    p = s.problem_transition(
        actor=rc,
        problem=p,
        move="propose",
        expected_version=p.version,
        # i18n: data (demo content)
        text="建议分两期改造雨污管网，一期 1–2 号楼；已报社区党组织和联席会议办公室。",
        now=ctx.now,
    )
    s.problem_transition(
        actor=office,
        problem=p,
        move="answer",
        expected_version=p.version,
        # i18n: data (demo content)
        text="县住建局答复：可纳入老旧小区改造项目库，请社区汇总住户意见后申报。",
        now=ctx.now,
    )


def build_historical(ctx: DemoContext) -> None:
    if "JX-E003" not in ctx.estates:
        return
    rc = ctx.users["juweihui"]
    p = s.problem_raise(
        actor=rc,
        estate=ctx.estates["JX-E003"],
        tier=Tier.HISTORICAL,
        # i18n: data (demo content)
        title="原粮局宿舍房屋产权证未办理",
        now=ctx.now,
    )
    s.problem_transition(
        actor=rc,
        problem=p,
        move="report_up",
        expected_version=p.version,
        # i18n: data (demo content)
        text="已向嘉祥街道和县自然资源和规划局书面反映，等待答复。",
        now=ctx.now,
    )


def build_early(ctx: DemoContext) -> None:
    rc = ctx.users["juweihui"]
    matter = s.early_matter_raise(
        actor=rc,
        estate=ctx.estates["JX-E001"],
        kind=EarlyMatter.Kind.FEE_CHANGE,
        # i18n: data (demo content)
        title="物业服务费由 1.2 元/㎡·月调整为 1.5 元/㎡·月",
        description="物业服务企业提出调价，业委会拟提交业主大会表决。",
    )
    s.early_invite(
        actor=rc,
        matter=matter,
        expected_version=matter.version,
        body=Invitation.Body.STREET,
        invited_on=_day(ctx, 1),
        # i18n: data (demo content)
        note="书面邀请街道提前介入，参加调价听证。",
    )
