"""Records about how units handled cases: accountability, rating appeals, and the
in-app notifications a case sends."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from gongzhi.cases.models.case import Case, Channel
from gongzhi.cases.models.work import CaseTask
from gongzhi.common.models import BaseModel


class Accountability(BaseModel):
    """A record against a unit: delay (拖延不办) on a breached limit, buck-passing
    (推诿扯皮) when the office rules a returned or transferred case was the unit's own
    (003 四, 004 四(一))."""

    class Kind(models.TextChoices):
        DELAY = "delay", _("拖延不办")
        BUCK_PASSING = "buck_passing", _("推诿扯皮")
        ABSENT = "absent", _("未按时报到")

    unit = models.ForeignKey(
        "org.Unit",
        verbose_name=_("单位"),
        on_delete=models.PROTECT,
        related_name="accountabilities",
    )
    case = models.ForeignKey(
        Case, verbose_name=_("案件"), on_delete=models.CASCADE, related_name="accountabilities"
    )
    task = models.ForeignKey(
        CaseTask,
        verbose_name=_("任务"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="accountabilities",
    )
    kind = models.CharField(_("类别"), max_length=16, choices=Kind.choices)
    reason = models.TextField(_("事由"))
    # What the record is about, so a second sweep does not record the same breach twice.
    key = models.CharField(_("唯一键"), max_length=80, unique=True)

    class Meta:
        verbose_name = _("责任记录")
        verbose_name_plural = _("责任记录")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.unit} {self.get_kind_display()} {self.case.number}"


class RatingAppeal(BaseModel):
    """A unit's appeal of a rating it thinks unreasonable; upheld, the rating leaves the
    unit's metrics."""

    class AppealState(models.TextChoices):
        PENDING = "pending", _("待裁定")
        UPHELD = "upheld", _("申诉成立")
        REJECTED = "rejected", _("申诉驳回")

    case = models.ForeignKey(
        Case, verbose_name=_("案件"), on_delete=models.CASCADE, related_name="appeals"
    )
    unit = models.ForeignKey(
        "org.Unit", verbose_name=_("申诉单位"), on_delete=models.PROTECT, related_name="+"
    )
    reason = models.TextField(_("申诉理由"))
    state = models.CharField(
        _("状态"), max_length=10, choices=AppealState.choices, default=AppealState.PENDING
    )
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("裁定人"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    decision_reason = models.TextField(_("裁定理由"), blank=True)
    decided_at = models.DateTimeField(_("裁定时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("评价申诉")
        verbose_name_plural = _("评价申诉")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.case.number} {self.get_state_display()}"


class Notification(BaseModel):
    """An in-app message to a unit (its inbox) or a person (a resident's own cases)."""

    created_at = models.DateTimeField(_("时间"), default=timezone.now, db_index=True)

    unit = models.ForeignKey(
        "org.Unit",
        verbose_name=_("单位"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="case_notifications",
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("账号"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="case_notifications",
    )
    jurisdiction = models.ForeignKey(
        "org.Jurisdiction",
        verbose_name=_("办公室层级"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="case_notifications",
        help_text=_("发给该层级联席会议办公室"),
    )
    case = models.ForeignKey(
        Case, verbose_name=_("案件"), on_delete=models.CASCADE, related_name="notifications"
    )
    kind = models.CharField(_("类别"), max_length=24)
    text = models.CharField(_("内容"), max_length=300)
    read_at = models.DateTimeField(_("已读时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("案件通知")
        verbose_name_plural = _("案件通知")
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["unit", "read_at"], name="casenotice_unit_idx")]

    def __str__(self) -> str:
        return self.text


class CaseCall(BaseModel):
    """Another call (or visit) about a case already on the ledger: the dispatcher attaches
    it instead of registering a duplicate (003 二(十二), 004 三(一)). The caller is
    recorded here, and shown like the reporter (only to the handling sides)."""

    created_at = models.DateTimeField(_("来电时间"), default=timezone.now, db_index=True)
    case = models.ForeignKey(
        Case, verbose_name=_("案件"), on_delete=models.CASCADE, related_name="calls"
    )
    channel = models.CharField(_("来源渠道"), max_length=16, choices=Channel.choices)
    caller_name = models.CharField(_("来电人姓名"), max_length=50, blank=True)
    caller_phone = models.CharField(_("来电人电话"), max_length=20, blank=True, db_index=True)
    note = models.TextField(_("来电内容"), blank=True)
    registered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("登记人"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )

    class Meta:
        verbose_name = _("来电并案")
        verbose_name_plural = _("来电并案")
        ordering = ["case", "created_at", "id"]

    def __str__(self) -> str:
        return f"{self.case.number} {self.get_channel_display()}"
