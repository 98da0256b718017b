"""``gongzhi catalog import FILE --jurisdiction CODE`` and
``gongzhi catalog export --jurisdiction CODE --format yaml|xlsx [--output FILE]``."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext as _

from gongzhi.catalog.files import read_catalog_file
from gongzhi.catalog.services import catalog_export, catalog_import
from gongzhi.common.errors import DomainError, InvalidInput
from gongzhi.org.models import Jurisdiction


class Command(BaseCommand):
    help = "导入或导出职责清单"

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        imp = sub.add_parser(
            "import", help=_("导入 .yaml 或 .xlsx 清单文件（整体替换，有错不导入）")
        )
        imp.add_argument("file")
        imp.add_argument("--jurisdiction", required=True, help=_("辖区代码"))
        exp = sub.add_parser("export", help=_("导出清单"))
        exp.add_argument("--jurisdiction", required=True, help=_("辖区代码"))
        exp.add_argument("--format", choices=["yaml", "xlsx"], default="yaml")
        exp.add_argument("--output", "-o", help=_("输出文件（默认：yaml 写到标准输出）"))

    def handle(self, *args: Any, **options: Any) -> None:
        node = Jurisdiction.objects.filter(code=options["jurisdiction"]).first()
        if node is None:
            raise CommandError(
                _("没有代码为 %(jurisdiction)s 的辖区") % {"jurisdiction": options["jurisdiction"]}
            )
        if options["action"] == "import":
            self._import(node, Path(options["file"]))
        else:
            self._export(node, options["format"], options.get("output"))

    def _import(self, node: Jurisdiction, path: Path) -> None:
        if not path.exists():
            raise CommandError(_("文件不存在：%(path)s") % {"path": path})
        try:
            doc = read_catalog_file(path.read_bytes(), path.name)
            result = catalog_import(jurisdiction=node, document=doc, filename=path.name)
        except InvalidInput as exc:
            for error in exc.errors:
                self.stderr.write(f"  {error}")
            raise CommandError(exc.message) from exc
        except DomainError as exc:
            raise CommandError(exc.message) from exc
        self.stdout.write(
            self.style.SUCCESS(
                _(
                    "已导入 %(name)s《%(name2)s》第 %(revision)s 版：新增 %(created)s，更新 %(updated)s，删除 %(removed)s，新建单位 %(units_created)s"
                )
                % {
                    "name": node.name,
                    "name2": result.catalog.name,
                    "revision": result.catalog.revision,
                    "created": result.created,
                    "updated": result.updated,
                    "removed": result.removed,
                    "units_created": result.units_created,
                }
            )
        )

    def _export(self, node: Jurisdiction, fmt: str, output: str | None) -> None:
        try:
            data = catalog_export(jurisdiction=node, fmt=fmt)
        except DomainError as exc:
            raise CommandError(exc.message) from exc
        if output:
            Path(output).write_bytes(data)
            self.stdout.write(self.style.SUCCESS(_("已导出到 %(output)s") % {"output": output}))
        elif fmt == "yaml":
            self.stdout.write(data.decode("utf-8"))
        else:
            if sys.stdout.isatty():
                raise CommandError(_("xlsx 是二进制文件，请用 --output 指定文件名"))
            sys.stdout.buffer.write(data)
