"""``gongzhi demo``: create the database, load the 嘉祥 demo county, print the demo
accounts and serve the site on http://127.0.0.1:8000."""

from __future__ import annotations

import importlib
from typing import Any

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import connection
from django.utils.translation import gettext as _

from gongzhi.common.management.commands.serve import port_free
from gongzhi.demo import DEMO_PARTS, DEMO_PASSWORD, build_demo
from gongzhi.org.models import Jurisdiction, RoleGrant, User


class Command(BaseCommand):
    help = "创建数据库、载入嘉祥县演示数据、打印演示账号并启动网站"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--port", type=int, default=8000, help=_("端口（默认 8000）"))
        parser.add_argument("--host", default="127.0.0.1", help=_("监听地址（默认 127.0.0.1）"))
        parser.add_argument("--reset", action="store_true", help=_("清空数据库后重新载入演示数据"))
        parser.add_argument("--no-serve", action="store_true", help=_("只准备数据，不启动网站"))

    def handle(self, *args: Any, **options: Any) -> None:
        if not options["no_serve"]:
            # runserver would fail only after the demo is loaded, and in English.
            free, why = port_free(options["host"], options["port"])
            if not free:
                raise CommandError(
                    _(
                        "端口 %(port)s 已被占用（%(host)s）：演示网站可能已在运行，请打开它或先停止它；也可以用 --port 换一个端口。"
                    )
                    % {"port": options["port"], "host": options["host"]}
                    if why == "in use"
                    else why
                )
        if options["reset"]:
            self._reset()
        call_command("migrate", verbosity=0, interactive=False)
        if Jurisdiction.objects.exists():
            self.stdout.write(_("演示数据已存在（用 --reset 重新生成）。"))
        else:
            self.stdout.write(_("正在载入嘉祥县演示数据……"))
            build_demo()
        self._print_accounts(options["host"], options["port"])
        if options["no_serve"]:
            return
        for name in DEMO_PARTS:
            hook = getattr(importlib.import_module(name), "on_serve", None)
            if hook is not None:
                hook()
        call_command(
            "runserver",
            f"{options['host']}:{options['port']}",
            use_reloader=False,
            use_threading=True,
        )

    def _reset(self) -> None:
        db = settings.DATABASES["default"]
        self.stdout.write(_("清空数据库 %(NAME)s ……") % {"NAME": db["NAME"]})
        with connection.cursor():
            pass
        call_command("flush", interactive=False, verbosity=0)
        # flush leaves the unit kinds table empty; migrations' data steps reload it.
        call_command("migrate", "org", "0001", verbosity=0, interactive=False)
        call_command("migrate", verbosity=0, interactive=False)

    def _print_accounts(self, host: str, port: int) -> None:
        self.stdout.write("")
        self.stdout.write(
            self.style.SUCCESS(
                _("共治 Gongzhi 演示：http://%(host)s:%(port)s/") % {"host": host, "port": port}
            )
        )
        self.stdout.write(
            _("所有演示账号的密码：%(DEMO_PASSWORD)s") % {"DEMO_PASSWORD": DEMO_PASSWORD}
        )
        self.stdout.write(f"{_('账号'):<12}{_('角色'):<14}{_('范围')}")
        for user in User.objects.prefetch_related("grants__unit", "grants__jurisdiction").order_by(
            "id"
        ):
            for grant in user.grants.all():
                where = grant.unit or grant.jurisdiction or ""
                label = RoleGrant.Role(grant.role).label
                self.stdout.write(f"{user.username:<12}{label:<14}{where}  （{user}）")
        sample = "JX-E001"
        self.stdout.write(
            _("小区公示（无需登录）：http://%(host)s:%(port)s/estates/%(sample)s/")
            % {"host": host, "port": port, "sample": sample}
        )
        self.stdout.write(
            _("接口文档：http://%(host)s:%(port)s/api/docs") % {"host": host, "port": port}
        )
        self.stdout.write("")
