"""``gongzhi router eval FILE [--estate CODE]``: how well free text reaches the right
matter and unit; ``gongzhi router train|rollback|versions --jurisdiction CODE``: classifier
versions learned from the desk's confirmed examples (docs/routing.md)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext as _

from gongzhi.catalog.evaluation import evaluate, read_rows
from gongzhi.catalog.models import ModelVersion
from gongzhi.catalog.training import model_version_rollback, model_version_train
from gongzhi.common.errors import DomainError, InvalidInput
from gongzhi.org.models import Estate, Jurisdiction


class Command(BaseCommand):
    help = "评测自由文本分派：eval FILE 打印按事项、按单位的 top-1/top-3、转人工率和混淆"

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        ev = sub.add_parser("eval", help=_("评测一个标注文件（.csv/.xlsx）"))
        ev.add_argument("file", help=_("text、expected（事项编码/单位，| 分隔；清单外写 -）"))
        ev.add_argument("--estate", default="JX-E001", help=_("文件未写小区时使用的小区编码"))
        ev.add_argument("--misses", type=int, default=0, help=_("列出前 N 条判错的消息"))
        for name, text in (
            ("train", _("用清单和分派台确认的样本训练新版本；留出评测不低于原版本才启用")),
            ("rollback", _("停用当前版本，恢复上一版本")),
            ("versions", _("列出模型版本及其留出准确率")),
        ):
            p = sub.add_parser(name, help=text)
            p.add_argument("--jurisdiction", required=True, help=_("辖区代码（如县的区划代码）"))

    def handle(self, *args: Any, **options: Any) -> None:
        if options["action"] != "eval":
            self._versions(options)
            return
        path = Path(options["file"])
        if not path.exists():
            raise CommandError(_("文件不存在：%(path)s") % {"path": path})
        estate = (
            Estate.objects.select_related("community", "property_company", "owners_committee")
            .filter(code=options["estate"])
            .first()
        )
        if estate is None:
            raise CommandError(_("没有编码为 %(code)s 的小区") % {"code": options["estate"]})
        try:
            report = evaluate(read_rows(path), estate)
        except InvalidInput as exc:
            lines = [
                _("第 %(row)s 行：%(message)s") % {"row": e.row, "message": e.message}
                if e.row
                else e.message
                for e in exc.errors
            ]
            raise CommandError("\n".join([exc.message, *lines])) from exc
        for line in report.lines(options["misses"]):
            self.stdout.write(line)

    def _versions(self, options: dict[str, Any]) -> None:
        place = Jurisdiction.objects.filter(code=options["jurisdiction"]).first()
        if place is None:
            raise CommandError(_("没有代码为 %(code)s 的辖区") % {"code": options["jurisdiction"]})
        try:
            if options["action"] == "train":
                v = model_version_train(jurisdiction=place)
                state = _("已启用") if v.active else _("未启用（不如当前版本）")
                self.stdout.write(
                    _(
                        "%(place)s v%(number)s：样本 %(examples)s，留出 %(held_out)s，"
                        "准确率 %(accuracy)s（原 %(baseline)s），%(state)s"
                    )
                    % {
                        "place": place.name,
                        "number": v.number,
                        "examples": v.examples,
                        "held_out": v.held_out,
                        "accuracy": f"{v.accuracy:.1%}",
                        "baseline": f"{v.baseline_accuracy:.1%}",
                        "state": state,
                    }
                )
                return
            if options["action"] == "rollback":
                v = model_version_rollback(jurisdiction=place)
                self.stdout.write(
                    _("%(place)s 已回退到 v%(number)s") % {"place": place.name, "number": v.number}
                )
                return
        except DomainError as exc:
            raise CommandError(exc.message) from exc
        for v in ModelVersion.objects.filter(jurisdiction=place).order_by("-number"):
            mark = "*" if v.active else " "
            self.stdout.write(
                _(
                    "%(mark)s v%(number)s %(created)s 样本 %(examples)s "
                    "留出 %(held_out)s 准确率 %(accuracy)s（原 %(baseline)s）"
                )
                % {
                    "mark": mark,
                    "number": v.number,
                    "created": f"{v.created_at:%Y-%m-%d %H:%M}",
                    "examples": v.examples,
                    "held_out": v.held_out,
                    "accuracy": f"{v.accuracy:.1%}",
                    "baseline": f"{v.baseline_accuracy:.1%}",
                }
            )
