"""The property company's co-operation tasks for an unplanned outage, by what is cut.
Source: 004_b810aef57bb1d6c2.txt 三(三) (发生停水、停气、停电、停热等突发事件时，物业服务企业要
配合有关单位做好抢险、抢修等工作) and 003 二(十四) (专营单位的维修养护责任)."""

from __future__ import annotations

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

# task code → label
TASKS: dict[str, Promise] = {
    "notify_residents": _("通知住户"),
    "water_tank": _("开放水箱或设置临时供水点"),
    "emergency_lighting": _("开启应急照明、检查电梯困人"),
    "gas_safety": _("提醒住户关闭燃气阀门"),
    "heat_check": _("排查楼内供暖管道"),
    "assist_repair": _("协助抢修（开放设备房、引导抢修人员）"),
}

# what is cut (UtilityWork.Supply) → the tasks each estate's company gets
BY_SUPPLY: dict[str, tuple[str, ...]] = {
    "water": ("notify_residents", "water_tank", "assist_repair"),
    "power": ("notify_residents", "emergency_lighting", "assist_repair"),
    "gas": ("notify_residents", "gas_safety", "assist_repair"),
    "heat": ("notify_residents", "heat_check", "assist_repair"),
    "telecom": ("notify_residents", "assist_repair"),
}


def label(kind: str) -> str:
    found = TASKS.get(kind)
    return str(found) if found is not None else kind
