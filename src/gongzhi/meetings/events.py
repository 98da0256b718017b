"""The audit event names of joint conferences, with the Chinese label a timeline shows.
Every ``audit_record`` of this app takes its ``action`` from here; the strings are kept as
they were, so old events still read the same."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class MeetingsEvent(models.TextChoices):
    SCHEDULE_SET = "meetings.schedule.set", _("设置会议周期")
    MEETING_PLAN = "meetings.meeting.plan", _("按周期生成例会")
    MEETING_CREATE = "meetings.meeting.create", _("安排临时会议")
    MEETING_NOTICE = "meetings.meeting.notice", _("发出会议通知")
    MEETING_TRANSITION = "meetings.meeting.transition", _("会议状态变更")
    MEETING_MISSED = "meetings.meeting.missed", _("未按期召开")
    INVITATION_ADD = "meetings.invitation.add", _("邀请参会")
    NOTICE_READ = "meetings.notice.read", _("阅知会议通知")
    MEMBER_CHANGE = "meetings.body.member_change", _("登记成员变更")
    TOPIC_PROPOSE = "meetings.topic.propose", _("提出议题")
    TOPIC_TRANSITION = "meetings.topic.transition", _("议题状态变更")
    LEAVE_REQUEST = "meetings.leave.request", _("请假")
    LEAVE_TRANSITION = "meetings.leave.transition", _("请假状态变更")
    ATTENDANCE_RECORD = "meetings.attendance.record", _("登记出席")
    MINUTES_SAVE = "meetings.minutes.save", _("起草会议纪要")
    MINUTES_TRANSITION = "meetings.minutes.transition", _("纪要状态变更")
    DECISION_ADD = "meetings.decision.add", _("登记议定事项")
    DECISION_TRANSITION = "meetings.decision.transition", _("议定事项状态变更")
    DECISION_PROGRESS = "meetings.decision.progress", _("报告落实进展")
    DECISION_REMIND = "meetings.decision.remind", _("督办提醒")
    INBOX_READ = "meetings.inbox.read", _("收件标为已读")


def event_label(action: str) -> str:
    """The label of an event name of this app, or the name itself when unknown."""
    try:
        return str(MeetingsEvent(action).label)
    except ValueError:
        return action
