"""The event types an integration may subscribe to, each standing for one or more case
event kinds (cases/events.py). One table: the subscription form, the command, the
payload and the docs read it."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.utils.translation import gettext_lazy as _

from gongzhi.cases.events import EventKind as K

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise

WEBHOOK_EVENTS: dict[str, tuple[StrOrPromise, tuple[K, ...]]] = {
    "case.registered": (_("登记"), (K.REGISTER, K.DISCOVER)),
    "case.dispatched": (_("分派"), (K.DISPATCH,)),
    "case.accepted": (_("签收"), (K.ACCEPT,)),
    "case.returned": (_("退回"), (K.RETURN,)),
    "case.transferred": (_("转办"), (K.TRANSFER,)),
    "case.escalated": (_("上报上级"), (K.ESCALATE,)),
    "case.overdue": (_("超时督办"), (K.SUPERVISE,)),
    "case.handled": (_("办结"), (K.HANDLE,)),
    "case.feedback": (_("反馈诉求人"), (K.FEEDBACK,)),
    "case.rated": (_("评价"), (K.RATE, K.RATED)),
    "case.reopened": (_("重新办理"), (K.REOPEN, K.SEND_BACK)),
    "case.closed": (_("结案"), (K.CLOSE, K.DECIDE_CLOSE)),
}
TYPE_OF: dict[str, str] = {
    str(kind): name for name, (_label, kinds) in WEBHOOK_EVENTS.items() for kind in kinds
}
