"""The event types an integration may subscribe to, each standing for one or more case
event kinds (cases/events.py). One table: the subscription form, the command, the
payload and the docs read it."""

from __future__ import annotations

from gongzhi.cases.events import EventKind as K

WEBHOOK_EVENTS: dict[str, tuple[str, tuple[K, ...]]] = {
    "case.registered": ("登记", (K.REGISTER, K.DISCOVER)),
    "case.dispatched": ("分派", (K.DISPATCH,)),
    "case.accepted": ("签收", (K.ACCEPT,)),
    "case.returned": ("退回", (K.RETURN,)),
    "case.transferred": ("转办", (K.TRANSFER,)),
    "case.escalated": ("上报上级", (K.ESCALATE,)),
    "case.overdue": ("超时督办", (K.SUPERVISE,)),
    "case.handled": ("办结", (K.HANDLE,)),
    "case.feedback": ("反馈诉求人", (K.FEEDBACK,)),
    "case.rated": ("评价", (K.RATE, K.RATED)),
    "case.reopened": ("重新办理", (K.REOPEN, K.SEND_BACK)),
    "case.closed": ("结案", (K.CLOSE, K.DECIDE_CLOSE)),
}
TYPE_OF: dict[str, str] = {
    str(kind): name for name, (_label, kinds) in WEBHOOK_EVENTS.items() for kind in kinds
}
