"""Every write to schedules, meetings, topics, participants, leave, attendance, minutes,
decisions, membership and the inbox, one module per sub-area; callers use this package
(``from gongzhi.meetings import services as s; s.topic_propose(...)``).

Each action is one transaction with an audit event (names in ``events.py``). Its first
line asks ``access.require`` whether the action is offered to the actor on the object
now, the same answer the pages and the API's ``allowed`` lists show; ``actor=None`` is
the system (the demo, the sweep), which only the "when" half of a rule applies to.

- ``schedule``: schedule_set, meetings_plan
- ``meetings``: meeting_create, meeting_notice_send, invitation_add, meeting_cancel,
  meeting_transition
- ``topics``: topic_propose, topic_from_cases, topic_review, topic_schedule,
  topic_unschedule, topic_transition
- ``attendance``: leave_request, leave_decide, leave_file, attendance_record
- ``minutes``: minutes_save, minutes_sign, minutes_return, minutes_send
- ``decisions``: decision_add, decision_progress_report, decision_complete,
  decision_escalate
- ``members``: body_member_change
- ``inbox``: inbox_read, notice_read
- ``sweep``: meetings_sweep (overdue decisions, reminders, meetings not held)"""

from gongzhi.meetings.access import next_level_body
from gongzhi.meetings.services.attendance import (
    AttendanceRow,
    attendance_record,
    holds_post_in,
    leave_decide,
    leave_file,
    leave_request,
    leave_transition,
    unit_people,
)
from gongzhi.meetings.services.core import apply_move, inbox_send
from gongzhi.meetings.services.decisions import (
    decision_add,
    decision_complete,
    decision_escalate,
    decision_history_text,
    decision_progress_report,
    decision_transition,
)
from gongzhi.meetings.services.inbox import inbox_read, notice_read
from gongzhi.meetings.services.meetings import (
    invitation_add,
    meeting_cancel,
    meeting_create,
    meeting_notice_send,
    meeting_transition,
)
from gongzhi.meetings.services.members import body_member_change
from gongzhi.meetings.services.minutes import (
    MinutesItemIn,
    minutes_return,
    minutes_save,
    minutes_send,
    minutes_sign,
    minutes_transition,
)
from gongzhi.meetings.services.schedule import default_chair, meetings_plan, schedule_set
from gongzhi.meetings.services.sweep import (
    SweepResult,
    decisions_flag_overdue,
    decisions_remind,
    meetings_flag_missed,
    meetings_sweep,
)
from gongzhi.meetings.services.topics import (
    case_errors,
    topic_create,
    topic_from_cases,
    topic_propose,
    topic_review,
    topic_schedule,
    topic_transition,
    topic_unschedule,
)

__all__ = [
    "AttendanceRow",
    "MinutesItemIn",
    "SweepResult",
    "apply_move",
    "attendance_record",
    "body_member_change",
    "case_errors",
    "decision_add",
    "decision_complete",
    "decision_escalate",
    "decision_history_text",
    "decision_progress_report",
    "decision_transition",
    "decisions_flag_overdue",
    "decisions_remind",
    "default_chair",
    "holds_post_in",
    "inbox_read",
    "inbox_send",
    "invitation_add",
    "leave_decide",
    "leave_file",
    "leave_request",
    "leave_transition",
    "meeting_cancel",
    "meeting_create",
    "meeting_notice_send",
    "meeting_transition",
    "meetings_flag_missed",
    "meetings_plan",
    "meetings_sweep",
    "minutes_return",
    "minutes_save",
    "minutes_send",
    "minutes_sign",
    "minutes_transition",
    "next_level_body",
    "notice_read",
    "schedule_set",
    "topic_create",
    "topic_from_cases",
    "topic_propose",
    "topic_review",
    "topic_schedule",
    "topic_transition",
    "topic_unschedule",
    "unit_people",
]
