"""The audit event names of the three parties' notices, circulars and reports."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class PartiesEvent(models.TextChoices):
    NOTICE_PUBLISH = "parties.notice.publish", _("发布公示")
    NOTICE_REPLACE = "parties.notice.replace", _("更新公示")
    NOTICE_WITHDRAW = "parties.notice.withdraw", _("撤下公示")
    CIRCULAR_SEND = "parties.circular.send", _("发出通报")
    CIRCULAR_READ = "parties.circular.read", _("阅知通报")
    REPORT_FILE = "parties.report.file", _("报送重大事项报告")
    REPORT_ACKNOWLEDGE = "parties.report.acknowledge", _("签收报告")
    REPORT_ANSWER = "parties.report.answer", _("反馈报告")
    CUSTODY_START = "parties.custody.start", _("开始临时托管")
    CUSTODY_HAND_OVER = "parties.custody.hand_over", _("托管移交物业服务企业")
    CUSTODY_END = "parties.custody.end", _("结束临时托管")
    UTILITY_WORK_ANNOUNCE = "parties.utility_work.announce", _("公告计划停水停电")
    OUTAGE_OPEN = "parties.outage.open", _("登记突发停水停电")
    OUTAGE_LINK = "parties.outage.link", _("关联案件")
    OUTAGE_UNLINK = "parties.outage.unlink", _("取消关联案件")
    OUTAGE_OVERDUE = "parties.outage.overdue", _("超过预计恢复时间提醒")
    OUTAGE_UPDATE = "parties.outage.update", _("发布抢修进展")
    OUTAGE_TASK_DONE = "parties.outage.task_done", _("完成配合任务")
    OUTAGE_CLOSE = "parties.outage.close", _("恢复供应并关闭事件")
