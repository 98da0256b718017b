"""System checks of the common app.

The calendar check reads the database, so it is tagged ``database``: Django runs it with
``gongzhi migrate`` (every deployment) and ``gongzhi check --database default``, not on
every command. ``gongzhi calendar status`` and the office's home page say the same at
any time."""

from __future__ import annotations

from typing import Any

from django.core.checks import CheckMessage, Tags, Warning, register
from django.utils.translation import gettext as _


@register(Tags.database)
def calendar_coverage(
    app_configs: Any = None, databases: Any = None, **kwargs: Any
) -> list[CheckMessage]:
    """This year and next must have holiday data: deadlines and meetings are computed
    in them now."""
    if not databases:
        return []
    from gongzhi.common.workcal import calendar_status

    return [
        Warning(
            status.warning,
            hint=(
                _(
                    "导入国务院办公厅关于 %(year)s 年部分节假日安排的通知：gongzhi calendar import FILE（格式见 docs/configuration.md）；gongzhi calendar status 查看各年数据来源。"
                )
                % {"year": status.year}
            ),
            id="gongzhi.W001",
        )
        for status in calendar_status()
        if not status.complete
    ]


@register("gongzhi")
def old_calendar_setting(app_configs: Any = None, **kwargs: Any) -> list[CheckMessage]:
    from django.conf import settings

    path = getattr(settings, "GONGZHI_WORKCAL_OVERRIDES", "")
    if not path:
        return []
    return [
        Warning(
            _("GONGZHI_WORKCAL_OVERRIDES 不再被读取"),
            hint=(
                _(
                    "本地节假日现在保存在数据库中：用 gongzhi calendar import %(path)s 导入该文件，然后删除此设置。"
                )
                % {"path": path}
            ),
            id="gongzhi.W002",
        )
    ]
