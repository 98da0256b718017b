"""The meetings pages, one module per area: ``bodies`` (list, calendar, a body, its
summary), ``topics``, ``meetings`` (a meeting, agenda, notice, attendance, minutes),
``decisions`` (the board, a decision, the inbox). Every POST goes through
``base.act``: the registry's schema and runner, the object found through access.py."""

from gongzhi.meetings.views.bodies import body_detail, calendar_view, index, summary
from gongzhi.meetings.views.decisions import decision_detail, decisions_board, inbox
from gongzhi.meetings.views.meetings import (
    agenda_builder,
    attendance,
    meeting_detail,
    minutes_editor,
    notice,
    public_minutes,
)
from gongzhi.meetings.views.topics import topic_detail, topic_propose, topic_review, topics

__all__ = [
    "agenda_builder",
    "attendance",
    "body_detail",
    "calendar_view",
    "decision_detail",
    "decisions_board",
    "inbox",
    "index",
    "meeting_detail",
    "minutes_editor",
    "notice",
    "public_minutes",
    "summary",
    "topic_detail",
    "topic_propose",
    "topic_review",
    "topics",
]
