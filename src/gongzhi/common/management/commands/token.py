"""``gongzhi token USERNAME --name NAME``: create an API token for an integration."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from gongzhi.common.apiauth import api_token_create
from gongzhi.org.models import User


class Command(BaseCommand):
    help = "为对接系统创建接口令牌（只显示一次）"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("username", help="令牌所属账号")
        parser.add_argument("--name", default="接口对接", help="用途说明")

    def handle(self, *args: Any, **options: Any) -> None:
        user = User.objects.filter(username=options["username"]).first()
        if user is None:
            raise CommandError(f"账号“{options['username']}”不存在")
        self.stdout.write(api_token_create(user=user, name=options["name"]))
