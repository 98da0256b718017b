"""``gongzhi webhooks subscribe|list|retry``: subscriptions of integrations and the
retry sweep (the beat schedule runs it every minute)."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext as _

from gongzhi.common.errors import InvalidInput
from gongzhi.common.models import ApiToken
from gongzhi.webhooks.kinds import WEBHOOK_EVENTS
from gongzhi.webhooks.models import Subscription
from gongzhi.webhooks.services import webhook_retry_due, webhook_subscribe


class Command(BaseCommand):
    help = "事件推送：订阅、列表、补发到期的重试"

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="what", required=True)
        add = sub.add_parser("subscribe", help=_("为接口令牌订阅事件（密钥只显示一次）"))
        add.add_argument("--token", required=True, help=_("接口令牌前缀（gz_ 之后 8 位）"))
        add.add_argument("--url", required=True, help=_("推送地址"))
        add.add_argument("--name", default=_("事件推送"), help=_("名称"))
        add.add_argument(
            "--events",
            required=True,
            help=_("事件类型，逗号分隔：%(events)s") % {"events": ",".join(WEBHOOK_EVENTS)},
        )
        sub.add_parser("list", help=_("列出订阅"))
        sub.add_parser("retry", help=_("补发到期的重试（一次）"))

    def handle(self, *args: Any, **options: Any) -> None:
        what = options["what"]
        if what == "subscribe":
            prefix = options["token"].removeprefix("gz_")[:8]
            token = ApiToken.objects.filter(prefix=prefix, revoked_at__isnull=True).first()
            if token is None:
                raise CommandError(_("没有前缀为 %(prefix)s 的有效接口令牌") % {"prefix": prefix})
            events = [e.strip() for e in options["events"].split(",") if e.strip()]
            try:
                made = webhook_subscribe(
                    token=token, name=options["name"], url=options["url"], events=events
                )
            except InvalidInput as exc:
                raise CommandError(str(exc)) from None
            self.stdout.write(
                _("订阅 %(pk)s 已创建；签名密钥（只显示这一次）：%(secret)s")
                % {"pk": made.pk, "secret": made.secret}
            )
        elif what == "list":
            for s in Subscription.objects.select_related("token"):
                state = _("启用") if s.is_active else _("停用")
                self.stdout.write(f"{s.pk}\t{state}\t{s.name}\t{s.url}\t{','.join(s.events)}")
        else:
            self.stdout.write(_("已尝试 %(n)s 条推送") % {"n": webhook_retry_due()})
