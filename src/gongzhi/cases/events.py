"""The kinds of case events, with their labels beside them. ``CaseEvent.action`` holds
one of these; timelines, metrics and exports read the label from here."""

from __future__ import annotations

from django.db import models
from django.dispatch import Signal
from django.utils.translation import gettext_lazy as _

# Sent once the transaction that wrote case events has committed, with ``event_ids``
# (cases/services/events.py ``events_save``): apps above cases (webhooks) react without
# cases importing them. Sent robustly: a listener's failure never fails the write.
events_committed = Signal()


class EventKind(models.TextChoices):
    # Intake
    REGISTER = "register", _("登记")
    DISCOVER = "discover", _("发现")
    # Moves of the transition table (cases/workflow.py)
    DISPATCH = "dispatch", _("分派")
    ACCEPT = "accept", _("签收")
    START = "start", _("开始办理")
    RETURN = "return", _("退回")
    TRANSFER = "transfer", _("转办")
    RULE_TRANSFER = "rule_transfer", _("裁定转办不成立")
    ESCALATE = "escalate", _("上报上级")
    OVERRULE = "overrule", _("裁定退回不成立")
    SUSPEND = "suspend", _("挂起")
    RESUME = "resume", _("恢复办理")
    HANDLE = "handle", _("办结")
    FEEDBACK = "feedback", _("反馈诉求人")
    SEND_BACK = "send_back", _("退回重办")
    RATE = "rate", _("评价")
    REOPEN = "reopen", _("重新办理")
    REVIEW = "review", _("转办公室复核")
    CLOSE = "close", _("结案")
    MERGE = "merge", _("合并重复件")
    DECIDE_CLOSE = "decide_close", _("按会议决定结案")
    DECIDE_RETURN = "decide_return", _("按会议决定交回办理")
    REPORT = "report", _("呈报")
    INCIDENT_HANDLE = "incident_handle", _("突发事件恢复办结")
    # Records that leave the state as it is
    RATED = "rated", _("评价")
    MERGED_IN = "merged_in", _("并入重复件")
    INCIDENT_LINK = "incident_link", _("关联突发事件")
    INCIDENT_RESTORED = "incident_restored", _("突发事件已恢复")
    INCIDENT_UNLINK = "incident_unlink", _("取消关联突发事件")
    TASK_ASSIST = "task_assist", _("通知协办")
    TASK_WHISTLE = "task_whistle", _("街道吹哨")
    TASK_POLICE = "task_police", _("通知公安")
    TASK_CHECKIN = "task_checkin", _("报到")
    TASK_DONE = "task_done", _("完成协办任务")
    STEP_PHOTO = "step_photo", _("拍照取证")
    STEP_STOP = "step_stop", _("现场制止")
    STEP_CLOSE = "step_close", _("结案（处置程序）")
    REPORT_OPINION = "report_opinion", _("呈报表签署意见")
    ATTACH = "attach", _("上传附件")
    CALL = "call", _("来电并案")
    CALLBACK = "callback", _("回访")
    PUBLISH = "publish", _("审定公示摘要")
    APPEAL = "appeal", _("评价申诉")
    APPEAL_UPHELD = "appeal_upheld", _("申诉成立")
    APPEAL_REJECTED = "appeal_rejected", _("申诉驳回")
    # The deadline sweep and accountability
    WARN = "warn", _("临期预警")
    SUPERVISE = "supervise", _("超时督办")
    ACCOUNT_DELAY = "account_delay", _("记拖延不办")
    ACCOUNT_BUCK_PASSING = "account_buck_passing", _("记推诿扯皮")
    ACCOUNT_ABSENT = "account_absent", _("记未按时报到")


def event_label(action: str) -> str:
    """The label of an event kind; an unknown (older) kind shows as itself."""
    try:
        return str(EventKind(action).label)
    except ValueError:
        return action
