"""System checks of the cases app: settings that name levels and time limits."""

from __future__ import annotations

from typing import Any

from django.core.checks import CheckMessage, Error, register
from django.utils.translation import gettext as _


@register("gongzhi")
def escalation_limits(app_configs: Any = None, **kwargs: Any) -> list[CheckMessage]:
    """GONGZHI_ESCALATION_LIMITS ("street=5wd,county=10wd"): known levels, valid limits."""
    from django.conf import settings

    from gongzhi.catalog.timelimits import parse_time_limit
    from gongzhi.org.models import Jurisdiction

    problems: list[CheckMessage] = []
    levels = set(Jurisdiction.Level.values)
    for level, limit in getattr(settings, "GONGZHI_ESCALATION_LIMITS", {}).items():
        if level not in levels:
            problems.append(
                Error(
                    _("GONGZHI_ESCALATION_LIMITS：没有“%(level)s”这一层级") % {"level": level},
                    hint=_("可用的层级：") + ", ".join(sorted(levels)),
                    id="gongzhi.E101",
                )
            )
            continue
        try:
            parse_time_limit(limit)
        except ValueError as exc:
            problems.append(
                Error(
                    _("GONGZHI_ESCALATION_LIMITS：%(level)s 的时限“%(limit)s”无法识别（%(exc)s）")
                    % {"level": level, "limit": limit, "exc": exc},
                    hint=_(
                        "写法如 5wd（工作日）、24h（自然小时）、4wh（工作小时），见 docs/catalog-files.md"
                    ),
                    id="gongzhi.E102",
                )
            )
    return problems
