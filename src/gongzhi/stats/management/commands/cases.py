"""``gongzhi cases import FILE --jurisdiction CODE [--valid-only] [--user NAME]``: import
an old ledger (.xlsx/.csv) into a county's ledger, in this process, with a progress bar
on stderr (stats/imports; docs/stats.md, "5. Ledger imports"). With ``--user`` the
account's rights are asked (stats/access.py); without, the command runs as the server's
administrator."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext as _

from gongzhi.common.errors import DomainError, InvalidInput
from gongzhi.org.models import User
from gongzhi.stats import services
from gongzhi.stats.imports.run import import_start


class Command(BaseCommand):
    help = "案件台账：import 导入历史台账（.xlsx/.csv）"

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        imp = sub.add_parser("import", help=_("导入历史台账，逐行校验，有错不导入"))
        imp.add_argument("file")
        imp.add_argument("--jurisdiction", required=True, help=_("台账辖区（县、市、区）代码"))
        imp.add_argument("--valid-only", action="store_true", help=_("只导入无误的行"))
        imp.add_argument("--user", help=_("以该账号的权限导入"))

    def handle(self, *args: Any, **options: Any) -> None:
        path = Path(options["file"])
        if not path.exists():
            raise CommandError(_("文件不存在：%(path)s") % {"path": path})
        owner = None
        if options.get("user"):
            owner = User.objects.filter(username=options["user"]).first()
            if owner is None:
                raise CommandError(_("没有账号 %(user)s") % {"user": options["user"]})
        started = time.monotonic()
        try:
            with path.open("rb") as content:
                job = import_start(
                    owner=owner,
                    jurisdiction=options["jurisdiction"],
                    filename=path.name,
                    content=content,
                    valid_only=options["valid_only"],
                    enqueue=False,
                )
        except InvalidInput as exc:
            raise CommandError("; ".join(str(e) for e in exc.errors)) from exc
        except DomainError as exc:
            raise CommandError(exc.message) from exc
        done = services.job_run(job_id=job.pk, on_progress=self._bar)
        self.stderr.write("")
        self._summary(done, time.monotonic() - started)

    def _bar(self, read: int, total: int) -> None:
        width = 30
        filled = min(width, width * read // total) if total else 0
        self.stderr.write(f"\r[{'#' * filled}{'-' * (width - filled)}] {read}/{total}", ending="")

    def _summary(self, job: Any, seconds: float) -> None:
        r = job.result or {}
        for error in r.get("error_list", [])[:20]:
            self.stderr.write(f"  {error['text']}")
        line = _(
            "读取 %(rows)s 行，导入 %(imported)s 件，跳过已导入 %(skipped)s 件，错误 %(errors)s 处，用时 %(seconds)s 秒"
        ) % {
            "rows": r.get("rows", 0),
            "imported": r.get("imported", 0),
            "skipped": r.get("skipped", 0),
            "errors": r.get("errors", 0),
            "seconds": f"{seconds:.1f}",
        }
        if job.state == "done":
            self.stdout.write(self.style.SUCCESS(line))
            return
        self.stdout.write(line)
        raise CommandError(job.error or job.get_state_display())
