"""The one registry of what a user can do with the estate's public notices, through a page
or the API: publishing on an estate; replacing and withdrawing a notice. Whether an action
is offered is access.py's answer; the service asks it again."""

from __future__ import annotations

import re
from typing import Any

from django.utils.translation import gettext_lazy as _

from gongzhi.common.actions import Action, Files, Registry
from gongzhi.org.models import Estate, Unit
from gongzhi.parties import access, schemas
from gongzhi.parties import services as s
from gongzhi.parties.models import Circular, Custody, Notice, Outage, OutageTask, Report
from gongzhi.parties.workflow import moves_from

ESTATE_ACTIONS: Registry[Estate] = Registry("parties.estate")
NOTICE_ACTIONS: Registry[Notice] = Registry("parties.notice")
CIRCULAR_ACTIONS: Registry[Circular] = Registry("parties.circular")
REPORT_ACTIONS: Registry[Report] = Registry("parties.report")
CUSTODY_ACTIONS: Registry[Custody] = Registry("parties.custody")
UTILITY_ACTIONS: Registry[Unit] = Registry("parties.utility")
OUTAGE_ACTIONS: Registry[Outage] = Registry("parties.outage")
OUTAGE_TASK_ACTIONS: Registry[OutageTask] = Registry("parties.outage_task")


def _add(registry: Any, name: str, label: Any, input: Any, run: Any, done: Any) -> None:
    """One action of a registry: its name, label, input schema, service call and message."""
    registry.add(Action(name=name, label=label, input=input, run=run, done=done))


def _publish(estate: Estate, actor: Any, d: schemas.NoticeIn, f: Files) -> Notice:
    return s.notice_publish(actor=actor, estate=estate, **d.model_dump())


def _replace(notice: Notice, actor: Any, d: schemas.NoticeReplaceIn, f: Files) -> Notice:
    return s.notice_replace(actor=actor, notice=notice, **d.model_dump())


def _withdraw(notice: Notice, actor: Any, d: schemas.NoticeWithdrawIn, f: Files) -> Notice:
    return s.notice_withdraw(
        actor=actor, notice=notice, expected_version=d.expected_version, reason=d.reason
    )


_add(ESTATE_ACTIONS, "publish", _("发布公示"), schemas.NoticeIn, _publish, _("已发布公示"))
_add(
    NOTICE_ACTIONS,
    "replace",
    _("更新公示"),
    schemas.NoticeReplaceIn,
    _replace,
    _("已更新公示，原内容保留为历史"),
)
_add(
    NOTICE_ACTIONS, "withdraw", _("撤下公示"), schemas.NoticeWithdrawIn, _withdraw, _("已撤下公示")
)


def _circular_send(estate: Estate, actor: Any, d: schemas.CircularIn, f: Files) -> Circular:
    return s.circular_send(actor=actor, estate=estate, **d.model_dump())


def _circular_read(circular: Circular, actor: Any, d: schemas.ReadIn, f: Files) -> int:
    return s.circular_read(actor=actor, circular=circular)


_add(
    ESTATE_ACTIONS,
    "circular_send",
    _("发出通报"),
    schemas.CircularIn,
    _circular_send,
    _("已发出通报，各接收单位收件箱已收到"),
)
_add(CIRCULAR_ACTIONS, "read", _("阅知"), schemas.ReadIn, _circular_read, _("已阅知"))


def _report_file(estate: Estate, actor: Any, d: schemas.ReportIn, f: Files) -> Report:
    return s.report_file(
        actor=actor, estate=estate, kind=d.kind, filer_party=d.filer_party, fields=d.fields
    )


def _report_acknowledge(report: Report, actor: Any, d: schemas.ReportAckIn, f: Files) -> Report:
    return s.report_acknowledge(actor=actor, report=report, expected_version=d.expected_version)


def _report_answer(report: Report, actor: Any, d: schemas.ReportAnswerIn, f: Files) -> Report:
    return s.report_answer(
        actor=actor, report=report, expected_version=d.expected_version, feedback=d.feedback
    )


_add(
    ESTATE_ACTIONS,
    "report_file",
    _("报送重大事项报告"),
    schemas.ReportIn,
    _report_file,
    _("已报送，送达各单位"),
)
_add(
    REPORT_ACTIONS, "acknowledge", _("签收"), schemas.ReportAckIn, _report_acknowledge, _("已签收")
)
_add(REPORT_ACTIONS, "answer", _("反馈"), schemas.ReportAnswerIn, _report_answer, _("已反馈"))


def _custody_start(estate: Estate, actor: Any, d: schemas.CustodyIn, f: Files) -> Custody:
    return s.custody_start(
        actor=actor,
        estate=estate,
        custodian_kind=d.custodian_kind,
        custodian=Unit.objects.filter(pk=d.custodian_id).first(),
        starts=d.starts,
        ends=d.ends,
        scope=d.scope,
    )


def _custody_hand_over(custody: Custody, actor: Any, d: schemas.HandOverIn, f: Files) -> Custody:
    return s.custody_hand_over(
        actor=actor,
        custody=custody,
        expected_version=d.expected_version,
        company=Unit.objects.filter(pk=d.company_id).first(),
        handover_date=d.handover_date,
        note=d.note,
    )


def _custody_end(custody: Custody, actor: Any, d: schemas.CustodyEndIn, f: Files) -> Custody:
    return s.custody_end(
        actor=actor,
        custody=custody,
        expected_version=d.expected_version,
        ended_on=d.ended_on,
        reason=d.reason,
    )


_add(
    ESTATE_ACTIONS,
    "custody_start",
    _("开始临时托管"),
    schemas.CustodyIn,
    _custody_start,
    _("已登记临时托管"),
)
_add(
    CUSTODY_ACTIONS,
    "hand_over",
    _("移交物业服务企业"),
    schemas.HandOverIn,
    _custody_hand_over,
    _("已移交，该企业成为本小区物业服务企业"),
)
_add(
    CUSTODY_ACTIONS,
    "end",
    _("结束托管（不移交）"),
    schemas.CustodyEndIn,
    _custody_end,
    _("临时托管已结束"),
)


def _estates(codes_in: list[str]) -> list[Estate]:
    from gongzhi.common.errors import FieldError, InvalidInput

    codes = list(dict.fromkeys(c.strip()[:32] for c in codes_in if c.strip()))
    estates = list(Estate.objects.filter(code__in=codes).select_related("community"))
    if len(estates) != len(codes):
        raise InvalidInput(errors=[FieldError("estate_codes", str(_("所选小区不存在")))])
    return estates


def _utility_announce(utility: Unit, actor: Any, d: schemas.UtilityWorkIn, f: Files) -> Any:
    from gongzhi.parties.services.utility import utility_work_announce

    estates = _estates(d.estate_codes)
    return utility_work_announce(
        actor=actor,
        utility=utility,
        estates=estates,
        supply=d.supply,
        starts_at=d.starts_at,
        ends_at=d.ends_at,
        title=d.title,
        description=d.description,
    )


_add(
    UTILITY_ACTIONS,
    "announce",
    _("公告计划停水停电"),
    schemas.UtilityWorkIn,
    _utility_announce,
    _("已公告，涉及小区的物业服务企业已收到"),
)


def _outage_open(utility: Unit, actor: Any, d: schemas.OutageIn, f: Files) -> Outage:
    return s.outage_open(
        actor=actor,
        utility=utility,
        estates=_estates(d.estate_codes),
        supply=d.supply,
        title=d.title,
        started_at=d.started_at,
        expected_at=d.expected_at,
        description=d.description,
    )


def _outage_link(outage: Outage, actor: Any, d: schemas.OutageLinkIn, f: Files) -> Any:
    # A page's field may hold several numbers, separated by spaces, commas or lines.
    numbers = [n[:40] for raw in d.numbers for n in re.split(r"[\s,，、;；]+", raw) if n]
    return s.outage_link(actor=actor, outage=outage, numbers=numbers)


def _outage_unlink(outage: Outage, actor: Any, d: schemas.OutageUnlinkIn, f: Files) -> Any:
    return s.outage_unlink(actor=actor, outage=outage, number=d.number, reason=d.reason)


def _outage_post(outage: Outage, actor: Any, d: schemas.OutagePostIn, f: Files) -> Any:
    return s.outage_post(actor=actor, outage=outage, text=d.text)


def _outage_close(outage: Outage, actor: Any, d: schemas.OutageCloseIn, f: Files) -> Any:
    return s.outage_close(
        actor=actor,
        outage=outage,
        expected_version=d.expected_version,
        note=d.note,
        restored_at=d.restored_at,
    )


def _task_done(task: OutageTask, actor: Any, d: schemas.OutageTaskDoneIn, f: Files) -> Any:
    return s.outage_task_done(actor=actor, task=task, note=d.note)


_add(
    UTILITY_ACTIONS,
    "outage_open",
    _("登记突发停水停电"),
    schemas.OutageIn,
    _outage_open,
    _("已登记，涉及小区的物业服务企业已收到配合任务"),
)
_add(OUTAGE_ACTIONS, "link", _("关联案件"), schemas.OutageLinkIn, _outage_link, _("已关联"))
_add(
    OUTAGE_ACTIONS,
    "unlink",
    _("取消关联"),
    schemas.OutageUnlinkIn,
    _outage_unlink,
    _("已取消关联，该案件不再随事件关闭而更新"),
)
_add(OUTAGE_ACTIONS, "post", _("发布抢修进展"), schemas.OutagePostIn, _outage_post, _("已发布"))
_add(
    OUTAGE_ACTIONS,
    "close",
    _("恢复供应，关闭事件"),
    schemas.OutageCloseIn,
    _outage_close,
    _("事件已关闭，关联案件已更新并通知诉求人"),
)
_add(
    OUTAGE_TASK_ACTIONS,
    "done",
    _("标记完成"),
    schemas.OutageTaskDoneIn,
    _task_done,
    _("配合任务已完成"),
)


def outage_offered(user: Any, outage: Outage) -> list[str]:
    """What ``user`` may do with ``outage`` now (the page's forms, the API's ``allowed``)."""
    if outage.state != Outage.State.OPEN:
        return []
    if access.handles_outage(user, outage):
        unlink = ["unlink"] if outage.links.exists() else []
        return ["link", *unlink, "post", "close"]
    return ["post"] if access.can_post_outage(user, outage) else []


def task_offered(user: Any, task: OutageTask) -> list[str]:
    if task.done_at is not None or task.outage.state != Outage.State.OPEN:
        return []
    return ["done"] if access.scope_for(user).in_unit(task.unit_id) else []


def custody_offered(user: Any, custody: Custody) -> list[str]:
    if custody.state != Custody.State.ACTIVE:
        return []
    return CUSTODY_ACTIONS.names() if access.can_arrange_custody(user, custody.estate) else []


def report_offered(user: Any, report: Report) -> list[str]:
    if not access.answering_unit(user, report)[0]:
        return []
    return moves_from(report.state)


def estate_offered(user: Any, estate: Estate) -> list[str]:
    offered = []
    if access.can_publish(user, estate):
        offered.append("publish")
    if access.can_send(user, estate):
        offered.append("circular_send")
    if access.can_publish(user, estate):
        offered.append("report_file")
    if estate.property_company_id is None and access.can_arrange_custody(user, estate):
        offered.append("custody_start")
    return offered


def circular_offered(user: Any, circular: Circular) -> list[str]:
    unread = access.my_receipts(user).filter(circular=circular, read_at__isnull=True)
    return ["read"] if unread.exists() else []


def notice_offered(user: Any, notice: Notice) -> list[str]:
    if notice.state != Notice.State.CURRENT:
        return []
    if not access.can_publish(user, notice.estate, notice.party):
        return []
    return NOTICE_ACTIONS.names()


def publish_parties(user: Any, estate: Estate) -> list[str]:
    """The parties in whose name ``user`` may publish on ``estate`` (the form's choices)."""
    return list(access.standing(user, estate))


def send_parties(user: Any, estate: Estate) -> list[str]:
    """The parties in whose name ``user`` may send a circular on ``estate``."""
    return list(access.own_parties(user, estate))
