"""Every write to cases, one module per sub-area; callers import from here.

- ``transition``  the one function that applies the transition table
- ``intake``      registering a case (routing, idempotency, the secret)
- ``ledger``      ledger numbers: which ledger, the next number
- ``calls``       another call about an open case, attached instead of a duplicate
- ``dispatch``    dispatch, accept, first response, return, transfer, rulings, escalation
- ``closing``     suspend/resume, handle, feedback, rating, reopen, close, merge, decisions
- ``tasks``       joint handling, the street whistle, the police; check-in and completion
- ``enforcement`` the six steps of 003 四 and the 呈报表
- ``records``     attachments, callbacks, the public summary, appeals, notifications read
- ``rulings``     a ruling on a return with its proposed catalog change
- ``sweep``       the deadline sweep, step by step
- ``events``      event rows (hash-chained), notifications, accountability records
- ``files``       attachments checked by their bytes
"""

from gongzhi.cases.access import office_above, police_for
from gongzhi.cases.services.calls import case_call_attach
from gongzhi.cases.services.closing import (
    case_close,
    case_decision_apply,
    case_feedback,
    case_handle,
    case_merge,
    case_rate,
    case_reopen,
    case_resume,
    case_send_back,
    case_suspend,
)
from gongzhi.cases.services.dispatch import (
    TRANSFER_ACCEPT_LIMIT,
    case_accept,
    case_dispatch,
    case_escalate,
    case_overrule,
    case_return,
    case_rule_transfer,
    case_start,
    case_supervise,
    case_transfer,
)
from gongzhi.cases.services.enforcement import (
    case_enforcement_photo,
    case_enforcement_report,
    case_enforcement_stop,
    case_report_opinion,
)
from gongzhi.cases.services.files import MAX_ATTACHMENTS, Upload
from gongzhi.cases.services.intake import (
    DEFAULT_ACCEPT_LIMIT,
    DEFAULT_RESOLVE_LIMIT,
    case_register,
    case_register_or_replay,
    intake_memo_clear,
    track_key_hash,
)
from gongzhi.cases.services.records import (
    case_appeal,
    case_appeal_decide,
    case_attach,
    case_callback,
    case_publish,
    notifications_read,
)
from gongzhi.cases.services.rulings import case_ruling_proposal
from gongzhi.cases.services.sweep import SweepResult, case_sweep
from gongzhi.cases.services.tasks import (
    case_call_police,
    case_joint_request,
    case_task_checkin,
    case_task_done,
    case_whistle,
)
from gongzhi.cases.services.transition import case_transition

__all__ = [
    "DEFAULT_ACCEPT_LIMIT",
    "DEFAULT_RESOLVE_LIMIT",
    "MAX_ATTACHMENTS",
    "TRANSFER_ACCEPT_LIMIT",
    "SweepResult",
    "Upload",
    "case_accept",
    "case_appeal",
    "case_appeal_decide",
    "case_attach",
    "case_call_attach",
    "case_call_police",
    "case_callback",
    "case_close",
    "case_decision_apply",
    "case_dispatch",
    "case_enforcement_photo",
    "case_enforcement_report",
    "case_enforcement_stop",
    "case_escalate",
    "case_feedback",
    "case_handle",
    "case_joint_request",
    "case_merge",
    "case_overrule",
    "case_publish",
    "case_rate",
    "case_register",
    "case_register_or_replay",
    "case_reopen",
    "case_report_opinion",
    "case_resume",
    "case_return",
    "case_rule_transfer",
    "case_ruling_proposal",
    "case_send_back",
    "case_start",
    "case_supervise",
    "case_suspend",
    "case_sweep",
    "case_task_checkin",
    "case_task_done",
    "case_transfer",
    "case_transition",
    "case_whistle",
    "intake_memo_clear",
    "notifications_read",
    "office_above",
    "police_for",
    "track_key_hash",
]
