"""What happens on a case: other units' tasks, the append-only event log, attachments,
the 呈报表 of the six-step procedure (003 四) and its signed opinions."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from gongzhi.cases.events import EventKind
from gongzhi.cases.models.case import Case
from gongzhi.common.models import BaseModel


class CaseTask(BaseModel):
    """A unit's own part in a case, with its own clock: an assisting unit in joint
    handling (联合执法, 003 三(四)), a department summoned by the street (街道吹哨、部门
    报到, 001 三(二)), or the police called to an obstructed enforcement (003 三(五))."""

    class Kind(models.TextChoices):
        ASSIST = "assist", _("协办")
        WHISTLE = "whistle", _("吹哨报到")
        POLICE = "police", _("公安协助")

    class TaskState(models.TextChoices):
        PENDING = "pending", _("待报到")
        CHECKED_IN = "checked_in", _("已报到")
        DONE = "done", _("已完成")
        CANCELLED = "cancelled", _("已撤销")

    case = models.ForeignKey(
        Case, verbose_name=_("案件"), on_delete=models.CASCADE, related_name="tasks"
    )
    unit = models.ForeignKey(
        "org.Unit", verbose_name=_("单位"), on_delete=models.PROTECT, related_name="case_tasks"
    )
    kind = models.CharField(_("类别"), max_length=10, choices=Kind.choices)
    state = models.CharField(
        _("状态"), max_length=12, choices=TaskState.choices, default=TaskState.PENDING
    )
    instructions = models.TextField(_("任务要求"), blank=True)
    requested_by = models.ForeignKey(
        "org.Unit",
        verbose_name=_("发起单位"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="requested_case_tasks",
    )
    checkin_due_at = models.DateTimeField(_("报到时限"), null=True, blank=True)
    due_at = models.DateTimeField(_("完成时限"), null=True, blank=True)
    checked_in_at = models.DateTimeField(_("报到时间"), null=True, blank=True)
    done_at = models.DateTimeField(_("完成时间"), null=True, blank=True)
    breached_at = models.DateTimeField(_("超时时间"), null=True, blank=True)
    result = models.TextField(_("完成情况"), blank=True)

    class Meta:
        verbose_name = _("协办任务")
        verbose_name_plural = _("协办任务")
        ordering = ["case", "id"]
        indexes = [
            models.Index(fields=["unit", "state"], name="casetask_inbox_idx"),
            models.Index(
                fields=["checkin_due_at"],
                name="casetask_checkin_due_idx",
                condition=Q(state="pending"),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.case.number} {self.get_kind_display()} {self.unit}"

    @property
    def is_open(self) -> bool:
        return self.state in (self.TaskState.PENDING, self.TaskState.CHECKED_IN)


class CaseEvent(models.Model):
    """Append-only: one row per change of a case, written in the same transaction. The
    case's timeline, the unit metrics and the accountability list are computed from
    these; nothing edits or deletes them."""

    case = models.ForeignKey(
        Case, verbose_name=_("案件"), on_delete=models.PROTECT, related_name="events"
    )
    action = models.CharField(_("动作"), max_length=24, choices=EventKind.choices)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("操作人"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    actor_unit = models.ForeignKey(
        "org.Unit",
        verbose_name=_("操作单位"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    unit = models.ForeignKey(
        "org.Unit",
        verbose_name=_("涉及单位"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="case_events",
        db_index=False,  # caseevent_metric_idx leads with it
        help_text=_("该事件计入哪个单位的指标"),
    )
    from_state = models.CharField(_("原状态"), max_length=16, blank=True)
    to_state = models.CharField(_("新状态"), max_length=16, blank=True)
    reason = models.TextField(_("说明"), blank=True)
    extra = models.JSONField(_("附加信息"), default=dict, blank=True)
    created_at = models.DateTimeField(_("时间"), db_index=True)
    # Tamper evidence: each event holds the hash of the case's previous event and its
    # own (cases/services/events.py; ``gongzhi audit verify`` walks the chain).
    prev_hash = models.CharField(_("前一事件摘要"), max_length=64, blank=True)
    hash = models.CharField(_("事件摘要"), max_length=64, blank=True)

    class Meta:
        verbose_name = _("案件事件")
        verbose_name_plural = _("案件事件")
        ordering = ["created_at", "id"]
        indexes = [
            models.Index(fields=["unit", "action", "created_at"], name="caseevent_metric_idx"),
            # A plain index (db_index=True on a CharField adds a second, pattern one).
            models.Index(fields=["action"], name="caseevent_action_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.case_id} {self.action}"


class Attachment(BaseModel):
    class Kind(models.TextChoices):
        PHOTO = "photo", _("照片")
        PDF = "pdf", _("PDF 文件")

    case = models.ForeignKey(
        Case, verbose_name=_("案件"), on_delete=models.CASCADE, related_name="attachments"
    )
    kind = models.CharField(_("类别"), max_length=8, choices=Kind.choices)
    file = models.FileField(_("文件"), upload_to="cases/%Y/%m/")
    name = models.CharField(_("原文件名"), max_length=200)
    content_type = models.CharField(_("内容类型"), max_length=50)
    size = models.PositiveIntegerField(_("大小"))
    sha256 = models.CharField(_("SHA-256"), max_length=64)
    purpose = models.CharField(
        _("用途"),
        max_length=16,
        blank=True,
        help_text=_("report 诉求材料、evidence 办结凭证、photo 现场照片"),
    )
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("上传人"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    class Meta:
        verbose_name = _("附件")
        verbose_name_plural = _("附件")
        ordering = ["case", "id"]

    def __str__(self) -> str:
        return self.name


class ReportForm(BaseModel):
    """The case report form of 003 附件2 (呈报表), filled at the 呈报 step."""

    case = models.OneToOneField(
        Case, verbose_name=_("案件"), on_delete=models.CASCADE, related_name="report_form"
    )
    reporting_unit = models.ForeignKey(
        "org.Unit", verbose_name=_("呈报单位"), on_delete=models.PROTECT, related_name="+"
    )
    contact = models.CharField(_("联系人"), max_length=50)
    contact_phone = models.CharField(_("联系电话"), max_length=40)
    receiving_unit = models.ForeignKey(
        "org.Unit", verbose_name=_("接收单位"), on_delete=models.PROTECT, related_name="+"
    )
    receiver = models.CharField(_("接收人"), max_length=50, blank=True)
    receiver_phone = models.CharField(_("接收人电话"), max_length=40, blank=True)
    location = models.CharField(_("地点"), max_length=200)
    details = models.TextField(_("案件详情"))

    class Meta:
        verbose_name = _("呈报表")
        verbose_name_plural = _("呈报表")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return gettext("%(number)s 呈报表") % {"number": self.case.number}


class ReportOpinion(BaseModel):
    """One signed opinion on a 呈报表, a row each so that two officials signing at once
    both count: the reporting unit's, the receiving unit's, the office's (003 附件2)."""

    class Signer(models.TextChoices):
        REPORTING = "reporting", _("呈报单位")
        RECEIVING = "receiving", _("接收单位")
        OFFICE = "office", _("联席会议办公室")

    form = models.ForeignKey(
        ReportForm, verbose_name=_("呈报表"), on_delete=models.CASCADE, related_name="opinions"
    )
    signer = models.CharField(_("签署方"), max_length=12, choices=Signer.choices)
    unit_name = models.CharField(_("单位"), max_length=100)
    opinion = models.TextField(_("意见"))
    head = models.CharField(_("负责人"), max_length=50)
    date = models.DateField(_("日期"))

    class Meta:
        verbose_name = _("呈报表意见")
        verbose_name_plural = _("呈报表意见")
        ordering = ["form", "id"]
        constraints = [
            models.UniqueConstraint(fields=["form", "signer"], name="report_opinion_once")
        ]

    def __str__(self) -> str:
        return f"{self.unit_name}：{self.opinion[:20]}"
