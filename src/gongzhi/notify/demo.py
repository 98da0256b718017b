"""Demo data of the outbox: a WeCom group robot of 鸿泰物业 and a DingTalk robot of the
housing bureau (the demo sends through the console backend, so nothing leaves the
machine). The messages themselves come from the demo's cases and meetings."""

from __future__ import annotations

from gongzhi.notify.models import ChannelKind, UnitWebhook
from gongzhi.notify.selectors import audience_changed
from gongzhi.org.demo_context import DemoContext


def build(ctx: DemoContext) -> None:
    rows = []
    for key, kind, name in (
        ("pc:鸿泰", ChannelKind.WECOM, "鸿泰物业客服群"),
        ("housing_bureau", ChannelKind.DINGTALK, "住建局物业科工作群"),
    ):
        unit = ctx.units.get(key)
        if unit is None:
            continue
        rows.append(
            UnitWebhook(
                unit=unit,
                kind=kind,
                name=name,
                url=f"https://robot.example.invalid/{kind}/demo-{unit.pk}",
                secret="demo-secret" if kind == ChannelKind.DINGTALK else "",
            )
        )
    UnitWebhook.objects.bulk_create(rows)
    audience_changed()  # bulk_create sends no signal
