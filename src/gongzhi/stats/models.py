"""Rollup rows of the case figures, kept from the case event log by a worker that
catches up from a cursor (stats/rollup.py); rebuilt from the events at any time."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class DailyFigures(models.Model):
    """The figures of one day (Asia/Shanghai) for one unit, estate and matter: each count
    is the number of that unit's events of the metric on that day (the definitions of
    cases.selectors.unit_metrics)."""

    # day|estate|unit|matter: one row per combination (NULL-safe, unlike a composite key).
    key = models.CharField(_("键"), max_length=120, unique=True)
    day = models.DateField(_("日期"))
    area_path = models.CharField(_("区域路径"), max_length=255, default="")
    street = models.ForeignKey(
        "org.Jurisdiction",
        verbose_name=_("街道/镇"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    estate = models.ForeignKey(
        "org.Estate", verbose_name=_("小区"), null=True, on_delete=models.CASCADE, related_name="+"
    )
    unit = models.ForeignKey(
        "org.Unit", verbose_name=_("单位"), on_delete=models.CASCADE, related_name="+"
    )
    matter = models.CharField(_("事项编码"), max_length=40, blank=True)
    received = models.IntegerField(_("受理数"), default=0)
    accepted = models.IntegerField(_("签收"), default=0)
    accepted_on_time = models.IntegerField(_("按时签收"), default=0)
    handled = models.IntegerField(_("办结"), default=0)
    rated = models.IntegerField(_("评价数"), default=0)
    satisfied = models.IntegerField(_("满意/基本满意"), default=0)
    overdue = models.IntegerField(_("超时"), default=0)
    returned = models.IntegerField(_("退回"), default=0)
    buck_passing = models.IntegerField(_("推诿扯皮"), default=0)
    reopened = models.IntegerField(_("重办"), default=0)

    class Meta:
        verbose_name = _("日统计")
        verbose_name_plural = _("日统计")
        ordering = ["day", "id"]
        indexes = [
            models.Index(fields=["day", "area_path"], name="stats_day_area_idx"),
            models.Index(fields=["unit", "day"], name="stats_unit_day_idx"),
            models.Index(fields=["area_path", "day"], name="stats_area_day_idx"),
        ]

    def __str__(self) -> str:
        return self.key


class RollupCursor(models.Model):
    """How far the worker has read the case events: every id up to ``last_id`` except
    the ``gaps`` (ids not yet visible when it passed them, with the time first seen: a
    transaction that had taken its id but not yet committed)."""

    name = models.CharField(_("名称"), max_length=40, unique=True)
    last_id = models.BigIntegerField(_("已处理至"), default=0)
    gaps = models.JSONField(_("待补编号"), default=dict, blank=True)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    class Meta:
        verbose_name = _("统计进度")
        verbose_name_plural = _("统计进度")
        ordering = ["name"]

    def __str__(self) -> str:
        return f"{self.name} {self.last_id}"
