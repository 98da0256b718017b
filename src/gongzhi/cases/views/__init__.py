"""Pages of the case work flow, one module per page area: the case page and its actions
(case_page), the office's dispatch desk (desk), a unit's workbench (inbox), the staff intake form (intake), and the
residents' pages (residents). Views gather input and show answers; rules are in
access.py and workflow.py, writes in services/."""

from gongzhi.cases.views.case_page import attachment, case_act, case_detail
from gongzhi.cases.views.desk import desk, desk_bulk, desk_repeats
from gongzhi.cases.views.follow import follow, follow_file, follow_rate, follow_stop
from gongzhi.cases.views.inbox import inbox, notifications_read
from gongzhi.cases.views.intake import intake, intake_caller, intake_estates, intake_hints
from gongzhi.cases.views.residents import mine, report, report_matters, report_suggest, track

__all__ = [
    "attachment",
    "case_act",
    "case_detail",
    "desk",
    "desk_bulk",
    "desk_repeats",
    "follow",
    "follow_file",
    "follow_rate",
    "follow_stop",
    "inbox",
    "intake",
    "intake_caller",
    "intake_estates",
    "intake_hints",
    "mine",
    "notifications_read",
    "report",
    "report_matters",
    "report_suggest",
    "track",
]
