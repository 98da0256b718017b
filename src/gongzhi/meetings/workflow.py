"""The state machines of meetings, topics, leave requests, minutes and decisions: one
table of allowed moves each. ``services.*_transition`` applies them with a conditional
update on the old state, so two people acting at once can't both win."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class MeetingState(models.TextChoices):
    PLANNED = "planned", _("计划")
    NOTICED = "noticed", _("已发通知")
    HELD = "held", _("已召开")
    CLOSED = "closed", _("纪要已印发")
    CANCELLED = "cancelled", _("已取消")
    # The sweep's flag for a meeting whose day passed without attendance recorded.
    MISSED = "missed", _("未按期召开")


class TopicState(models.TextChoices):
    PROPOSED = "proposed", _("待审批")
    APPROVED = "approved", _("已批准")
    REJECTED = "rejected", _("未批准")
    SCHEDULED = "scheduled", _("已列入议程")
    DISCUSSED = "discussed", _("已审议")


class LeaveState(models.TextChoices):
    REQUESTED = "requested", _("待召集人批准")
    APPROVED = "approved", _("已批准")
    REJECTED = "rejected", _("未批准")
    FILED = "filed", _("已备案")


class MinutesState(models.TextChoices):
    DRAFT = "draft", _("草稿")
    SIGNED = "signed", _("召集人已审签")
    SENT = "sent", _("已分送")


class DecisionState(models.TextChoices):
    OPEN = "open", _("待落实")
    IN_PROGRESS = "in_progress", _("落实中")
    DONE = "done", _("已办结")
    OVERDUE = "overdue", _("已逾期")
    ESCALATED = "escalated", _("已提请上级")


M, T, L, N, D = MeetingState, TopicState, LeaveState, MinutesState, DecisionState

MEETING_MOVES: dict[str, set[str]] = {
    M.PLANNED: {M.NOTICED, M.HELD, M.CANCELLED, M.MISSED},
    M.NOTICED: {M.HELD, M.CANCELLED, M.MISSED},
    # Flagged by the sweep; attendance recorded late still marks it held (the flag stays
    # in its history), or the office cancels it with the reason.
    M.MISSED: {M.HELD, M.CANCELLED},
    M.HELD: {M.CLOSED},
    M.CLOSED: set(),
    M.CANCELLED: set(),
}

# Meetings that may still be held: the missed-meeting sweep looks at these.
MEETING_PENDING_STATES = (M.PLANNED, M.NOTICED)

# 000 三(四)2(4): proposed by a member unit, approved by the convener, compiled by the office.
TOPIC_MOVES: dict[str, set[str]] = {
    T.PROPOSED: {T.APPROVED, T.REJECTED},
    T.APPROVED: {T.SCHEDULED},
    T.REJECTED: set(),
    T.SCHEDULED: {T.APPROVED, T.DISCUSSED},  # back to approved = taken off an agenda
    T.DISCUSSED: set(),
}

# 000 三(四)2(5): ask the convener for leave, file it with the office.
LEAVE_MOVES: dict[str, set[str]] = {
    L.REQUESTED: {L.APPROVED, L.REJECTED},
    L.APPROVED: {L.FILED},
    L.REJECTED: set(),
    L.FILED: set(),
}

# 002 (一)第四条: the convener signs the minutes, then they are sent to the parties.
MINUTES_MOVES: dict[str, set[str]] = {
    N.DRAFT: {N.SIGNED},
    N.SIGNED: {N.SENT, N.DRAFT},  # back to draft = the convener returns them for changes
    N.SENT: set(),
}

# 000 三(四)2(6) and 004 三(四): followed up, flagged when late, escalated a level up.
DECISION_MOVES: dict[str, set[str]] = {
    D.OPEN: {D.IN_PROGRESS, D.DONE, D.OVERDUE},
    D.IN_PROGRESS: {D.DONE, D.OVERDUE},
    D.OVERDUE: {D.DONE, D.ESCALATED},
    D.ESCALATED: {D.DONE},
    D.DONE: set(),
}

DECISION_OPEN_STATES = (D.OPEN, D.IN_PROGRESS, D.OVERDUE, D.ESCALATED)


def allowed(table: dict[str, set[str]], old: str, new: str) -> bool:
    return new in table.get(old, set())
