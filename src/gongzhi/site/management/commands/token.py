"""``gongzhi token USERNAME --name NAME``: create an API token for an integration."""

from __future__ import annotations

from typing import Any

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext as _

from gongzhi.cases.models import Channel
from gongzhi.common.apiauth import api_token_create


class Command(BaseCommand):
    help = "为对接系统创建接口令牌（只显示一次）"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("username", help=_("令牌所属账号"))
        parser.add_argument(
            "--name",
            default="接口对接",  # i18n: data (a stored name)
            help=_("用途说明"),
        )
        parser.add_argument(
            "--channels",
            default="",
            help=_("允许该令牌登记诉求的渠道，逗号分隔（如 12345,mayor）；不填则不能登记"),
        )

    def handle(self, *args: Any, **options: Any) -> None:
        user = get_user_model().objects.filter(username=options["username"]).first()
        if user is None:
            raise CommandError(_("账号“%(username)s”不存在") % {"username": options["username"]})
        channels = [c.strip() for c in options["channels"].split(",") if c.strip()]
        unknown = [c for c in channels if c not in Channel.values]
        if unknown:
            known = "、".join(Channel.values)
            raise CommandError(
                _("未知渠道：%(join)s（可选：%(known)s）")
                % {"join": "、".join(unknown), "known": known}
            )
        self.stdout.write(api_token_create(user=user, name=options["name"], channels=channels))
