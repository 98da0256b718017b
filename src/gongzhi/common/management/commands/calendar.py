"""``gongzhi calendar import FILE`` (a year's holiday notice, .yaml or .xlsx, all or
nothing) and ``gongzhi calendar status`` (this year and next: where the holidays come
from, and whether they are complete)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext as _


class Command(BaseCommand):
    help = "工作日历：导入某年节假日安排，或查看今明两年的数据来源"
    # A small command: the status must not wait for the URL conf and the admin to load
    # (Django's checks), and it says itself what the calendar check would say.
    requires_system_checks: list[str] = []

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        imp = sub.add_parser("import", help=_("导入 .yaml 或 .xlsx 节假日文件（有错不导入）"))
        imp.add_argument("file")
        sub.add_parser("status", help=_("今年和明年的节假日数据来源与是否完整"))

    def handle(self, *args: Any, **options: Any) -> None:
        if options["action"] == "import":
            self._import(Path(options["file"]))
        else:
            self._status()

    def _import(self, path: Path) -> None:
        from gongzhi.common.calendar_files import read_calendar_file
        from gongzhi.common.errors import InvalidInput
        from gongzhi.common.services import calendar_import

        if not path.exists():
            raise CommandError(_("文件不存在：%(path)s") % {"path": path})
        try:
            document = read_calendar_file(path.read_bytes(), path.name)
            result = calendar_import(document=document, filename=path.name)
        except InvalidInput as exc:
            for error in exc.errors:
                self.stderr.write(f"  {error}")
            raise CommandError(exc.message) from exc
        year = _("%(year)s 年") % {"year": result.year} if result.year else _("本地调整")
        self.stdout.write(
            self.style.SUCCESS(
                _("已导入%(year)s：新增 %(created)s 天，更新 %(updated)s 天，删除 %(removed)s 天")
                % {
                    "year": year,
                    "created": result.created,
                    "updated": result.updated,
                    "removed": result.removed,
                }
            )
        )
        self._status()

    def _status(self) -> None:
        from gongzhi.common.workcal import calendar_status

        for status in calendar_status():
            mark = _("完整") if status.complete else _("不完整")
            line = _("%(year)s 年：%(mark)s；%(source)s") % {
                "year": status.year,
                "mark": mark,
                "source": status.source,
            }
            if status.complete:
                self.stdout.write(line)
            else:
                self.stdout.write(self.style.WARNING(line))
                self.stdout.write(f"  {status.warning}")
                self.stdout.write(_("  导入该年国务院节假日安排：gongzhi calendar import FILE"))
