"""Who may read what, and who may do what now, for joint conferences. Pages, the API, the
services and the registry (actions.py) all ask here; none repeats a rule.

Reading (each ``readable_*`` is a queryset scoped to the account first; ``*_for`` looks
one object up in it and answers NotFound for what the account may not read, so a door
never tells an object it hides from one that does not exist):

- a body: office staff, conveners and auditors of its jurisdiction or above; anyone of
  the unit its office sits in; the units and people seated in it now;
- a meeting: its body's readers, and the units invited to it;
- a topic: its body's readers, and the proposing unit;
- a decision: its body's readers, and the responsible and co-operating units;
- a leave request or an invitation: the readers of its meeting;
- inbox messages: the units they were sent to.

Acting (``RULES``: one entry per action of the registry, "who" and "when"):

- the office (办公室) manages: office staff of the body's jurisdiction or above, or the
  unit the body's office sits in (002 (一)第四条: a residents' committee member);
- conveners approve topics and leave, and sign the minutes: conveners of the
  jurisdiction or above, or the person seated as 总召集人/召集人/组长;
- member units propose topics, ask for their own leave, report progress on decisions they
  are responsible for or co-operate on;
- auditors read; the public sees only minutes marked public.

``refusal(user, name, obj)`` is the one answer: None when the action is offered to the
user on the object now, else the error the service raises. ``user=None`` is the system
(the demo, the sweep): only "when" applies to it."""

from gongzhi.meetings.access.read import (
    UnitInbox,
    agenda_open,
    body_for,
    decision_for,
    inbox_for,
    invitation_for,
    leave_for,
    meeting_for,
    minutes_page_open,
    minutes_readable,
    public_minutes,
    readable_bodies,
    readable_decisions,
    readable_invitations,
    readable_leaves,
    readable_meetings,
    readable_messages,
    readable_topics,
    topic_for,
    valid_pk,
)
from gongzhi.meetings.access.rules import (
    KINDS,
    RULES,
    Rule,
    allowed,
    annotate,
    case_link_refusal,
    key_of,
    kind_of,
    offered,
    open_agendas,
    refusal,
    require,
)
from gongzhi.meetings.access.standing import (
    CONVENER_SEATS,
    Who,
    current_seats,
    jurisdiction_units_q,
    member_unit_ids,
    next_level_body,
    who_of,
)

__all__ = [
    "CONVENER_SEATS",
    "KINDS",
    "RULES",
    "Rule",
    "UnitInbox",
    "Who",
    "agenda_open",
    "allowed",
    "annotate",
    "body_for",
    "case_link_refusal",
    "current_seats",
    "decision_for",
    "inbox_for",
    "invitation_for",
    "jurisdiction_units_q",
    "key_of",
    "kind_of",
    "leave_for",
    "meeting_for",
    "member_unit_ids",
    "minutes_page_open",
    "minutes_readable",
    "next_level_body",
    "offered",
    "open_agendas",
    "public_minutes",
    "readable_bodies",
    "readable_decisions",
    "readable_invitations",
    "readable_leaves",
    "readable_meetings",
    "readable_messages",
    "readable_topics",
    "refusal",
    "require",
    "topic_for",
    "valid_pk",
    "who_of",
]
