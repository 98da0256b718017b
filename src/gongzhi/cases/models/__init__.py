"""Cases (诉求/案件): intake, the unit responsible, its tasks and clocks, the append-only
event log every history and metric is computed from, attachments, the 呈报表 of the
six-step enforcement procedure (003 四), accountability records and rating appeals.

- ``case``     the case, its states, channels, urgency, ratings, steps, ledger counter
- ``work``     tasks, events, attachments, the 呈报表 and its opinions
- ``records``  accountability records, rating appeals, notifications, repeat calls
- ``filters``  ledger filters users keep under a name
"""

from gongzhi.cases.models.case import (
    CLOCK_STATES,
    OPEN_STATES,
    Case,
    Channel,
    EnforcementStep,
    LedgerCounter,
    Rating,
    Source,
    State,
    Urgency,
)
from gongzhi.cases.models.filters import SavedFilter
from gongzhi.cases.models.records import Accountability, CaseCall, Notification, RatingAppeal
from gongzhi.cases.models.work import Attachment, CaseEvent, CaseTask, ReportForm, ReportOpinion

__all__ = [
    "CLOCK_STATES",
    "OPEN_STATES",
    "Accountability",
    "Attachment",
    "Case",
    "CaseCall",
    "CaseEvent",
    "CaseTask",
    "Channel",
    "EnforcementStep",
    "LedgerCounter",
    "Notification",
    "Rating",
    "RatingAppeal",
    "ReportForm",
    "ReportOpinion",
    "SavedFilter",
    "Source",
    "State",
    "Urgency",
]
