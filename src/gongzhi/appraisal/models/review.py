"""The democratic appraisal of the three parties (002 (四)): a campaign per street and
year, the street's score standard (items and weights), the subjects (each estate's
residents' committee, owners' committee and property company), raters with one-time
codes (one sheet each, enforced by a unique constraint and a conditional update), the
scores, the objections of the publication period, and the street's approval."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from gongzhi.common.models import BaseModel


class Campaign(BaseModel):
    class State(models.TextChoices):
        DRAFT = "draft", _("准备中")
        OPEN = "open", _("评议中")
        PUBLISHED = "published", _("公示中")
        APPROVED = "approved", _("已审定")

    street = models.ForeignKey(
        "org.Jurisdiction",
        verbose_name=_("街道"),
        on_delete=models.PROTECT,
        related_name="review_campaigns",
    )
    year = models.PositiveSmallIntegerField(_("年度"))
    title = models.CharField(_("名称"), max_length=100)
    state = models.CharField(_("状态"), max_length=10, choices=State.choices, default=State.DRAFT)
    version = models.PositiveIntegerField(_("版本"), default=1)
    quorum = models.PositiveSmallIntegerField(
        _("法定评议人数"), default=1, help_text=_("收回的评议表达到此数，结果方可公示")
    )
    objection_days = models.PositiveSmallIntegerField(_("公示天数"), default=7)
    published_at = models.DateTimeField(_("公示时间"), null=True, blank=True)
    objection_until = models.DateField(_("异议截止日期"), null=True, blank=True)
    approved_at = models.DateTimeField(_("审定时间"), null=True, blank=True)
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("审定人"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    class Meta:
        verbose_name = _("三方评议")
        verbose_name_plural = _("三方评议")
        ordering = ["-year", "street"]
        constraints = [
            models.UniqueConstraint(fields=["street", "year"], name="review_campaign_unique")
        ]

    def __str__(self) -> str:
        return self.title


class ReviewItem(BaseModel):
    """One item of the street's score standard (002 (四)第三条、第四条)."""

    class Measure(models.TextChoices):
        NONE = "", _("无")
        CASES = "cases", _("诉求办理情况")
        ACCOUNTABILITY = "accountability", _("推诿扯皮、拖延不办记录")

    campaign = models.ForeignKey(
        Campaign, verbose_name=_("评议"), on_delete=models.CASCADE, related_name="items"
    )
    sort = models.PositiveSmallIntegerField(_("序号"))
    title = models.CharField(_("评议内容"), max_length=100)
    weight = models.PositiveSmallIntegerField(_("分值"))
    guide = models.CharField(_("评分说明"), max_length=300, blank=True)
    measure = models.CharField(
        _("系统佐证"), max_length=16, choices=Measure.choices, default="", blank=True
    )

    class Meta:
        verbose_name = _("评议项目")
        verbose_name_plural = _("评议项目")
        ordering = ["campaign", "sort"]
        constraints = [
            models.UniqueConstraint(fields=["campaign", "sort"], name="review_item_unique_sort")
        ]

    def __str__(self) -> str:
        return _("%(sort)s. %(title)s（%(weight)s 分）") % {
            "sort": self.sort,
            "title": self.title,
            "weight": self.weight,
        }


class ReviewSubject(BaseModel):
    """One party appraised: a unit, in the estate it serves."""

    class Party(models.TextChoices):
        RESIDENTS = "residents", _("社区居委会")
        OWNERS = "owners", _("业主委员会")
        COMPANY = "company", _("物业服务企业")

    campaign = models.ForeignKey(
        Campaign, verbose_name=_("评议"), on_delete=models.CASCADE, related_name="subjects"
    )
    estate = models.ForeignKey(
        "org.Estate", verbose_name=_("小区"), on_delete=models.PROTECT, related_name="+"
    )
    unit = models.ForeignKey(
        "org.Unit", verbose_name=_("单位"), on_delete=models.PROTECT, related_name="+"
    )
    party = models.CharField(_("类别"), max_length=10, choices=Party.choices)
    report = models.TextField(_("述职报告"), blank=True)

    class Meta:
        verbose_name = _("评议对象")
        verbose_name_plural = _("评议对象")
        ordering = ["campaign", "estate", "party"]
        constraints = [
            models.UniqueConstraint(
                fields=["campaign", "estate", "unit"], name="review_subject_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.estate.name} {self.unit.name}"


class RaterCode(BaseModel):
    """A one-time code handed to one rater at the meeting; only its hash is kept. The
    label says the rater's group and number, never a name."""

    class Group(models.TextChoices):
        THREE_PARTY = "three_party", _("三方代表")
        PARTY_MEMBER = "party_member", _("党员代表")
        OWNER = "owner", _("业主代表")
        RESIDENT = "resident", _("居民代表")

    campaign = models.ForeignKey(
        Campaign, verbose_name=_("评议"), on_delete=models.CASCADE, related_name="codes"
    )
    group = models.CharField(_("评议人类别"), max_length=16, choices=Group.choices)
    label = models.CharField(_("编号"), max_length=40)
    code_hash = models.CharField(_("评议码摘要"), max_length=64, unique=True)
    used_at = models.DateTimeField(_("使用时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("评议码")
        verbose_name_plural = _("评议码")
        ordering = ["campaign", "label"]

    def __str__(self) -> str:
        return self.label


class ReviewSheet(BaseModel):
    """One rater's sheet: at most one per code (the one-to-one key)."""

    campaign = models.ForeignKey(
        Campaign, verbose_name=_("评议"), on_delete=models.CASCADE, related_name="sheets"
    )
    rater = models.OneToOneField(
        RaterCode, verbose_name=_("评议码"), on_delete=models.PROTECT, related_name="sheet"
    )
    on_paper = models.BooleanField(_("纸质录入"), default=False)

    class Meta:
        verbose_name = _("评议表")
        verbose_name_plural = _("评议表")
        ordering = ["campaign", "created_at"]

    def __str__(self) -> str:
        return f"{self.campaign} {self.rater}"


class ReviewScore(models.Model):
    sheet = models.ForeignKey(
        ReviewSheet, verbose_name=_("评议表"), on_delete=models.CASCADE, related_name="scores"
    )
    subject = models.ForeignKey(
        ReviewSubject, verbose_name=_("评议对象"), on_delete=models.CASCADE, related_name="scores"
    )
    item = models.ForeignKey(
        ReviewItem, verbose_name=_("评议项目"), on_delete=models.CASCADE, related_name="scores"
    )
    points = models.PositiveSmallIntegerField(_("得分"))

    class Meta:
        verbose_name = _("评分")
        verbose_name_plural = _("评分")
        ordering = ["sheet", "subject", "item"]
        constraints = [
            models.UniqueConstraint(fields=["sheet", "subject", "item"], name="review_score_unique")
        ]

    def __str__(self) -> str:
        return f"{self.subject} {self.item.sort}: {self.points}"


class ReviewObjection(BaseModel):
    """An objection raised while the results are posted, and the street's answer."""

    campaign = models.ForeignKey(
        Campaign, verbose_name=_("评议"), on_delete=models.CASCADE, related_name="objections"
    )
    subject = models.ForeignKey(
        ReviewSubject,
        verbose_name=_("评议对象"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="objections",
    )
    text = models.TextField(_("异议内容"))
    # Who raised it, as told by the office; never shown on the public page.
    raised_by = models.CharField(_("提出人"), max_length=100, blank=True)
    answer = models.TextField(_("答复"), blank=True)
    answered_at = models.DateTimeField(_("答复时间"), null=True, blank=True)
    answered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("答复人"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    class Meta:
        verbose_name = _("评议异议")
        verbose_name_plural = _("评议异议")
        ordering = ["campaign", "created_at"]

    def __str__(self) -> str:
        return self.text[:40]


class ReviewReport(BaseModel):
    """A 述职 report (002 (四)第二条: the three parties report at the appraisal meeting)
    attached to a subject: a PDF or a photo of the paper, checked by its bytes."""

    subject = models.ForeignKey(
        ReviewSubject,
        verbose_name=_("评议对象"),
        on_delete=models.CASCADE,
        related_name="report_files",
    )
    file = models.FileField(_("文件"), upload_to="appraisal/reports/%Y/")
    name = models.CharField(_("文件名"), max_length=200)
    content_type = models.CharField(_("类型"), max_length=40)
    size = models.PositiveIntegerField(_("大小"))
    sha256 = models.CharField(_("摘要"), max_length=64)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("上传人"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    class Meta:
        verbose_name = _("述职报告")
        verbose_name_plural = _("述职报告")
        ordering = ["subject", "created_at"]

    def __str__(self) -> str:
        return self.name
