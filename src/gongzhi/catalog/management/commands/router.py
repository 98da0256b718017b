"""``gongzhi router eval FILE [--estate CODE]``: how well free text reaches the right
matter and unit (docs/routing.md)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from gongzhi.catalog.evaluation import evaluate, read_rows
from gongzhi.common.errors import InvalidInput
from gongzhi.org.models import Estate


class Command(BaseCommand):
    help = "评测自由文本分派：eval FILE 打印按事项、按单位的 top-1/top-3、转人工率和混淆"

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        ev = sub.add_parser("eval", help="评测一个标注文件（.csv/.xlsx）")
        ev.add_argument("file", help="text、expected（事项编码/单位，| 分隔；清单外写 -）")
        ev.add_argument("--estate", default="JX-E001", help="文件未写小区时使用的小区编码")
        ev.add_argument("--misses", type=int, default=0, help="列出前 N 条判错的消息")

    def handle(self, *args: Any, **options: Any) -> None:
        path = Path(options["file"])
        if not path.exists():
            raise CommandError(f"文件不存在：{path}")
        estate = (
            Estate.objects.select_related("community", "property_company", "owners_committee")
            .filter(code=options["estate"])
            .first()
        )
        if estate is None:
            raise CommandError(f"没有编码为 {options['estate']} 的小区")
        try:
            report = evaluate(read_rows(path), estate)
        except InvalidInput as exc:
            lines = [f"第 {e.row} 行：{e.message}" if e.row else e.message for e in exc.errors]
            raise CommandError("\n".join([exc.message, *lines])) from exc
        for line in report.lines(options["misses"]):
            self.stdout.write(line)
