"""The audit event names of coordinated problem solving (002 (二))."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class ProblemsEvent(models.TextChoices):
    RAISE = "problems.raise", _("提出问题")
    MOVE = "problems.move", _("问题办理")
    CONSULT = "problems.consult", _("记录协商")
    NOTE = "problems.note", _("发布进展")
    PASS_ON = "problems.pass_on", _("变更牵头方")
    LINK_CASE = "problems.link_case", _("关联案件")
    EARLY_RAISE = "problems.early.raise", _("登记提前介入事项")
    EARLY_INVITE = "problems.early.invite", _("邀请提前介入")
    EARLY_MOVE = "problems.early.move", _("提前介入事项办理")
