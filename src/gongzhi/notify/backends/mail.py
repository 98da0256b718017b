"""E-mail through Django's mail (EMAIL_BACKEND, EMAIL_HOST …)."""

from __future__ import annotations

from django.conf import settings
from django.core.mail import EmailMessage
from django.utils.translation import gettext as _

from gongzhi.notify.backends import Outcome
from gongzhi.notify.models import Message


class EmailBackend:
    def send(self, message: Message) -> Outcome:
        mail = EmailMessage(
            subject=_("【共治】%(subject)s") % {"subject": message.subject},
            body=message.body,
            from_email=getattr(settings, "DEFAULT_FROM_EMAIL", None),
            to=[message.address],
        )
        sent = mail.send(fail_silently=False)
        return Outcome(bool(sent), _("已投递") if sent else _("邮件服务器未接收"))
