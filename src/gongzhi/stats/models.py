"""Rollup rows of the case figures, kept from the case event log by a worker that
catches up from a cursor (stats/rollup.py); rebuilt from the events at any time: per
day, unit, estate and matter (DailyFigures), and the same sums per month, street (town),
unit and matter (MonthlyFigures) for the charts that need neither days nor estates."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class _Figures(models.Model):
    """What a daily and a monthly row share: the place, the unit, the matter and the
    counts of the metrics (one column each)."""

    area_path = models.CharField(_("区域路径"), max_length=255, default="")
    street = models.ForeignKey(
        "org.Jurisdiction",
        verbose_name=_("街道/镇"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
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
        abstract = True


class DailyFigures(_Figures):
    """The figures of one day (Asia/Shanghai) for one unit, estate and matter: each count
    is the number of that unit's events of the metric on that day (the definitions of
    cases.selectors.unit_metrics)."""

    # day|estate|unit|matter: one row per combination (NULL-safe, unlike a composite key).
    key = models.CharField(_("键"), max_length=120, unique=True)
    day = models.DateField(_("日期"))
    estate = models.ForeignKey(
        "org.Estate", verbose_name=_("小区"), null=True, on_delete=models.CASCADE, related_name="+"
    )

    class Meta:
        verbose_name = _("日统计")
        verbose_name_plural = _("日统计")
        ordering = ["day", "id"]
        indexes = [
            models.Index(fields=["day", "area_path"], name="stats_day_area_idx"),
            models.Index(fields=["unit", "day"], name="stats_unit_day_idx"),
            models.Index(
                fields=["area_path", "day"],
                name="stats_area_day_idx",
                opclasses=["varchar_pattern_ops", "date_ops"],
            ),
            models.Index(fields=["estate", "day"], name="stats_estate_day_idx"),
        ]

    def __str__(self) -> str:
        return self.key


class MonthlyFigures(_Figures):
    """The sums of the DailyFigures of one month (Asia/Shanghai) for one place, unit and
    matter, without the estate: the place is the street (town) above the daily rows'
    area, or that area itself when no street is above it. Kept by the same worker in the
    same transaction as the daily rows (stats/rollup.py), so the two always agree.

    About one row per month, street, unit and matter that had an event: its size follows
    the streets, units and matters of a region, not its number of cases."""

    # month|area|unit|matter (the month as YYYY-MM: never a daily key's YYYY-MM-DD).
    key = models.CharField(_("键"), max_length=320, unique=True)
    month = models.DateField(_("月份"))  # the first day of the month
    # area_path is the street's path (or the area's, without a street): a prefix filter
    # of an area at street level or above reads the same rows here as in DailyFigures.

    class Meta:
        verbose_name = _("月统计")
        verbose_name_plural = _("月统计")
        ordering = ["month", "id"]
        indexes = [
            models.Index(fields=["month"], name="stats_month_idx"),
            # varchar_pattern_ops: PostgreSQL reads a LIKE 'prefix%' by this index
            # whatever the database's collation (ignored elsewhere).
            models.Index(
                fields=["area_path", "month"],
                name="stats_month_area_idx",
                opclasses=["varchar_pattern_ops", "date_ops"],
            ),
            models.Index(fields=["unit", "month"], name="stats_month_unit_idx"),
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
    # Changed with every write to the rollup rows: the dashboards' cached answers are
    # kept under it (stats/selectors.py), so a new stamp retires them all.
    stamp = models.CharField(_("版本"), max_length=32, blank=True)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    class Meta:
        verbose_name = _("统计进度")
        verbose_name_plural = _("统计进度")
        ordering = ["name"]

    def __str__(self) -> str:
        return f"{self.name} {self.last_id}"


class Job(models.Model):
    """A long export run by a Celery worker: who asked, what, how far it has got, and
    the file when done. Only its owner sees it (stats/access.py)."""

    class Kind(models.TextChoices):
        LEDGER = "ledger", _("台账导出")
        METRICS = "metrics", _("单位指标导出")
        IMPORT = "import", _("历史台账导入")

    class JobState(models.TextChoices):
        QUEUED = "queued", _("排队中")
        RUNNING = "running", _("生成中")
        DONE = "done", _("已完成")
        FAILED = "failed", _("失败")
        CANCELLED = "cancelled", _("已取消")

    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("发起人"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="stats_jobs",
    )
    kind = models.CharField(_("类别"), max_length=16, choices=Kind.choices)
    params = models.JSONField(_("条件"), default=dict, blank=True)
    state = models.CharField(
        _("状态"), max_length=10, choices=JobState.choices, default=JobState.QUEUED
    )
    total = models.PositiveIntegerField(_("总行数"), default=0)
    progress = models.PositiveIntegerField(_("已完成行数"), default=0)
    file = models.FileField(_("文件"), upload_to="jobs/%Y/%m/", blank=True)
    filename = models.CharField(_("文件名"), max_length=100, blank=True)
    error = models.TextField(_("错误"), blank=True)
    # An import's upload (the job's ``file`` is then its error report) and its outcome:
    # counts and the first errors (stats/imports).
    upload = models.FileField(_("上传文件"), upload_to="imports/%Y/%m/", blank=True)
    result = models.JSONField(_("结果"), default=dict, blank=True)
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True, db_index=True)
    started_at = models.DateTimeField(_("开始时间"), null=True, blank=True)
    finished_at = models.DateTimeField(_("结束时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("后台任务")
        verbose_name_plural = _("后台任务")
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["owner", "created_at"], name="stats_job_owner_idx")]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} #{self.pk}"

    @property
    def percent(self) -> int:
        if self.state == self.JobState.DONE:
            return 100
        return min(99, 100 * self.progress // self.total) if self.total else 0

    @property
    def finished(self) -> bool:
        return self.state in (self.JobState.DONE, self.JobState.FAILED, self.JobState.CANCELLED)
