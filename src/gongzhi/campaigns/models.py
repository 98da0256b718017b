"""Rectification campaigns (专项整治) of 002's covering notice: the office of a jurisdiction
starts one with a survey form (the 小区摸排认定表) and the classes an estate may be given;
streets and communities return one survey per estate, and each street sends progress
reports (基本情况、工作措施、存在问题和建议) by the campaign's deadlines."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from gongzhi.common.models import BaseModel


class Campaign(BaseModel):
    """One campaign. ``fields`` is the survey form as data (campaigns/fields.py reads it);
    ``classes`` the classification choices; ``report_dues`` the progress reports' dates."""

    jurisdiction = models.ForeignKey(
        "org.Jurisdiction",
        verbose_name=_("辖区"),
        on_delete=models.PROTECT,
        related_name="campaigns",
    )
    title = models.CharField(_("名称"), max_length=100)
    basis = models.CharField(_("依据"), max_length=300, blank=True)
    starts = models.DateField(_("开始日期"))
    ends = models.DateField(_("结束日期"))
    survey_due = models.DateField(_("摸排上报截止"))
    report_dues = models.JSONField(_("进展报告截止日期"), default=list)
    fields = models.JSONField(_("摸排表字段"), default=list)
    classes = models.JSONField(_("认定类型"), default=list)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("发起人"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    version = models.PositiveIntegerField(_("版本"), default=1)

    class Meta:
        verbose_name = _("专项整治")
        verbose_name_plural = _("专项整治")
        ordering = ["-starts", "-id"]

    def __str__(self) -> str:
        return self.title


class Survey(BaseModel):
    """One estate's return (a row of the 小区摸排认定表); edited in place, each change
    audited, the version guarding concurrent edits."""

    campaign = models.ForeignKey(
        Campaign, verbose_name=_("专项整治"), on_delete=models.CASCADE, related_name="surveys"
    )
    estate = models.ForeignKey(
        "org.Estate", verbose_name=_("小区"), on_delete=models.PROTECT, related_name="+"
    )
    values = models.JSONField(_("填报内容"), default=dict)
    classification = models.CharField(_("认定类型"), max_length=40)
    unit = models.ForeignKey(
        "org.Unit",
        verbose_name=_("填报单位"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    filled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("填报人"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    version = models.PositiveIntegerField(_("版本"), default=1)

    class Meta:
        verbose_name = _("摸排认定表")
        verbose_name_plural = _("摸排认定表")
        ordering = ["campaign", "estate__code"]
        constraints = [
            models.UniqueConstraint(fields=["campaign", "estate"], name="survey_one_per_estate")
        ]

    def __str__(self) -> str:
        return f"{self.campaign_id}:{self.estate_id}"


class ProgressReport(BaseModel):
    """A street's progress report for one of the campaign's deadlines (002's covering
    notice: 基本情况、工作措施、存在问题和建议). Re-filing before review replaces the text."""

    campaign = models.ForeignKey(
        Campaign, verbose_name=_("专项整治"), on_delete=models.CASCADE, related_name="reports"
    )
    street = models.ForeignKey(
        "org.Jurisdiction", verbose_name=_("街道/镇"), on_delete=models.PROTECT, related_name="+"
    )
    due = models.DateField(_("截止日期"))
    situation = models.TextField(_("基本情况"))
    measures = models.TextField(_("工作措施"))
    problems = models.TextField(_("存在问题和建议"))
    unit = models.ForeignKey(
        "org.Unit",
        verbose_name=_("报送单位"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    filed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("报送人"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    filed_at = models.DateTimeField(_("报送时间"))
    version = models.PositiveIntegerField(_("版本"), default=1)

    class Meta:
        verbose_name = _("整治进展报告")
        verbose_name_plural = _("整治进展报告")
        ordering = ["campaign", "street__path", "due"]
        constraints = [
            models.UniqueConstraint(
                fields=["campaign", "street", "due"], name="progress_report_one_per_due"
            )
        ]

    def __str__(self) -> str:
        return f"{self.campaign_id}:{self.street_id}:{self.due}"
