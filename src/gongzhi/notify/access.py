"""Who may see the outbox: the joint-conference office, for messages about its area (by
the area path each message carries), and the platform admin. Recipients appear as the
queueing app labelled them (phones masked); robots' URLs never leave the admin."""

from __future__ import annotations

import re
from typing import Any

from django.db.models import Q, QuerySet

from gongzhi.notify.models import Message
from gongzhi.org.permissions import scope_for

# A reporter's private link in a message body: shown to the office without its token.
_PRIVATE_LINK = re.compile(r"(/cases/follow/)[^\s/]+/?")
# A verification code (six digits) in its message: never shown to the office.
_CODE = re.compile(r"(?<!\d)\d{6}(?!\d)")


def sees_outbox(user: Any) -> bool:
    scope = scope_for(user)
    return bool(scope.is_authenticated and (scope.is_admin or scope.office_paths))


def readable_messages(user: Any) -> QuerySet[Message]:
    scope = scope_for(user)
    if not scope.is_authenticated:
        return Message.objects.none()
    if scope.is_admin:
        return Message.objects.all()
    if not scope.office_paths:
        return Message.objects.none()
    q = Q(pk__in=[])
    for root in scope.office_paths:
        q |= Q(area_path__startswith=root)
    return Message.objects.filter(q)


def body_for_office(message: Message) -> str:
    """The body as the outbox page shows it: a private link without its token, a
    verification code without its digits."""
    if message.event == "verify_code":
        return _CODE.sub("••••••", message.body)
    return _PRIVATE_LINK.sub(r"\1…", message.body)
