"""The estate's public notices (公示), circulars (通报) and reports of major events (报告)
of the three parties (002 (三))."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from gongzhi.common.models import BaseModel
from gongzhi.parties.notice_kinds import Kind
from gongzhi.parties.report_kinds import ReportKind


class Party(models.TextChoices):
    """Who speaks for a notice: one of the three parties, or above them."""

    PROPERTY_COMPANY = "property_company", _("物业服务企业")
    OWNERS_COMMITTEE = "owners_committee", _("业主委员会")
    RESIDENTS_COMMITTEE = "residents_committee", _("社区居委会")
    STREET = "street", _("街道办事处")
    OFFICE = "office", _("联席会议办公室")


class ReportBody(models.TextChoices):
    """The bodies a report of a major event may reach (002 (三)第四条: 向街道(乡镇)、社区党组
    织、社区居民委员会、联席会议书面或口头报告): the estate's parties and the street, the
    community party organisation, the community's three-party conference (its members,
    002 (一)第三条) and the joint-conference office over the estate."""

    PROPERTY_COMPANY = "property_company", _("物业服务企业")
    OWNERS_COMMITTEE = "owners_committee", _("业主委员会")
    RESIDENTS_COMMITTEE = "residents_committee", _("社区居委会")
    STREET = "street", _("街道办事处")
    OFFICE = "office", _("联席会议办公室")
    PARTY_ORG = "party_org", _("社区党组织")
    CONFERENCE = "conference", _("三方联席会议")


class Notice(BaseModel):
    """One item on an estate's public board. A long-term item stays until it is replaced;
    any other has a last day (002 (三)第二条). Replacing keeps the old item as history."""

    class State(models.TextChoices):
        CURRENT = "current", _("公示中")
        REPLACED = "replaced", _("已更新")
        WITHDRAWN = "withdrawn", _("已撤下")

    estate = models.ForeignKey(
        "org.Estate", verbose_name=_("小区"), on_delete=models.CASCADE, related_name="notices"
    )
    kind = models.CharField(_("类别"), max_length=24, choices=Kind.choices)
    party = models.CharField(_("公示方"), max_length=24, choices=Party.choices)
    unit = models.ForeignKey(
        "org.Unit",
        verbose_name=_("发布单位"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    title = models.CharField(_("标题"), max_length=100)
    body = models.TextField(_("说明"), blank=True)
    rows = models.JSONField(_("内容"), default=list, blank=True)
    long_term = models.BooleanField(_("长期公示"), default=False)
    valid_from = models.DateField(_("公示开始"))
    valid_until = models.DateField(_("公示截止"), null=True, blank=True)
    state = models.CharField(_("状态"), max_length=16, choices=State.choices, default=State.CURRENT)
    replaces = models.OneToOneField(
        "self",
        verbose_name=_("更新自"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="replaced_by",
    )
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("发布人"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    version = models.PositiveIntegerField(_("版本"), default=1)

    class Meta:
        verbose_name = _("公示事项")
        verbose_name_plural = _("公示事项")
        ordering = ["estate", "kind", "party", "-valid_from", "-id"]
        indexes = [
            models.Index(
                fields=["estate", "kind"],
                name="notice_current_idx",
                condition=Q(state="current"),
            )
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(long_term=True) | Q(valid_until__isnull=False),
                name="notice_period_or_long_term",
            )
        ]

    def __str__(self) -> str:
        return f"{self.title}（{self.get_kind_display()}）"


class Circular(BaseModel):
    """A circular (通报) between the three parties of an estate and up to the street: what
    residents raised and how solving is going (002 (三)第三条). An urgent one (重要紧急信息,
    第四条) is marked so; every circular reaches each recipient unit's inbox at once as a
    receipt, and the sender sees who has not read it."""

    estate = models.ForeignKey(
        "org.Estate", verbose_name=_("小区"), on_delete=models.CASCADE, related_name="circulars"
    )
    sender_party = models.CharField(_("通报方"), max_length=24, choices=Party.choices)
    sender_unit = models.ForeignKey(
        "org.Unit", verbose_name=_("通报单位"), on_delete=models.PROTECT, related_name="+"
    )
    sent_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("发送人"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    title = models.CharField(_("标题"), max_length=100)
    body = models.TextField(_("内容"))
    urgent = models.BooleanField(_("重要紧急"), default=False)

    class Meta:
        verbose_name = _("通报")
        verbose_name_plural = _("通报")
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return self.title


class CircularReceipt(BaseModel):
    """One recipient unit of a circular: its inbox entry and its read receipt."""

    circular = models.ForeignKey(
        Circular, verbose_name=_("通报"), on_delete=models.CASCADE, related_name="receipts"
    )
    party = models.CharField(_("接收方"), max_length=24, choices=Party.choices)
    unit = models.ForeignKey(
        "org.Unit",
        verbose_name=_("接收单位"),
        on_delete=models.CASCADE,
        related_name="circular_receipts",
    )
    read_at = models.DateTimeField(_("阅读时间"), null=True, blank=True)
    read_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("阅读人"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    class Meta:
        verbose_name = _("通报回执")
        verbose_name_plural = _("通报回执")
        ordering = ["circular", "id"]
        constraints = [
            models.UniqueConstraint(fields=["circular", "unit"], name="circular_receipt_unique")
        ]
        indexes = [
            models.Index(
                fields=["unit"], name="circular_unread_idx", condition=Q(read_at__isnull=True)
            )
        ]


class Report(BaseModel):
    """A report of a major event (002 (三)第五条): a typed form (report_kinds.py) sent to the
    bodies its kind must reach, acknowledged and answered with feedback by them; the office
    sees the ones past their feedback day."""

    class State(models.TextChoices):
        SUBMITTED = "submitted", _("已报送")
        ACKNOWLEDGED = "acknowledged", _("已签收")
        ANSWERED = "answered", _("已反馈")

    estate = models.ForeignKey(
        "org.Estate", verbose_name=_("小区"), on_delete=models.CASCADE, related_name="reports"
    )
    kind = models.CharField(_("报告类别"), max_length=24, choices=ReportKind.choices)
    filer_party = models.CharField(_("报告方"), max_length=24, choices=Party.choices)
    filer_unit = models.ForeignKey(
        "org.Unit",
        verbose_name=_("报告单位"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    filed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("报告人"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    data = models.JSONField(_("报告内容"), default=dict)
    # Bodies of the kind's list with nobody on record to reach when it was filed.
    unreached = models.JSONField(_("未能送达"), default=list, blank=True)
    state = models.CharField(
        _("状态"), max_length=16, choices=State.choices, default=State.SUBMITTED
    )
    feedback_due = models.DateField(_("反馈期限"))
    acknowledged_at = models.DateTimeField(_("签收时间"), null=True, blank=True)
    acknowledged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("签收人"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    feedback = models.TextField(_("反馈意见"), blank=True)
    answered_at = models.DateTimeField(_("反馈时间"), null=True, blank=True)
    answered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("反馈人"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    version = models.PositiveIntegerField(_("版本"), default=1)

    class Meta:
        verbose_name = _("重大事项报告")
        verbose_name_plural = _("重大事项报告")
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(
                fields=["feedback_due"],
                name="report_open_due_idx",
                condition=~Q(state="answered"),
            )
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} · {self.estate_id}"


class ReportRecipient(BaseModel):
    """A body a report must reach: a unit of the estate's parties or the street, or the
    joint-conference office (``unit`` empty, ``party`` office)."""

    report = models.ForeignKey(
        Report, verbose_name=_("报告"), on_delete=models.CASCADE, related_name="recipients"
    )
    party = models.CharField(_("接收方"), max_length=24, choices=ReportBody.choices)
    unit = models.ForeignKey(
        "org.Unit",
        verbose_name=_("接收单位"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="report_receipts",
    )
    # For the conference: the body whose member ``unit`` is reached.
    body = models.ForeignKey(
        "org.Body",
        verbose_name=_("议事机构"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )

    class Meta:
        verbose_name = _("报告接收方")
        verbose_name_plural = _("报告接收方")
        ordering = ["report", "id"]


class Custody(BaseModel):
    """Temporary custody (临时托管) of an estate without a property company (001 四(二)(三);
    003 二(十三)): who holds it, for how long, over what, until it is handed over to a
    company the owners hire (which then becomes the estate's property company)."""

    class CustodianKind(models.TextChoices):
        STREET = "street", _("街道办事处")
        RESIDENTS_COMMITTEE = "residents_committee", _("社区居委会")
        APPOINTED_COMPANY = "appointed_company", _("指定物业服务企业")

    class State(models.TextChoices):
        ACTIVE = "active", _("托管中")
        HANDED_OVER = "handed_over", _("已移交")
        ENDED = "ended", _("已结束")

    estate = models.ForeignKey(
        "org.Estate", verbose_name=_("小区"), on_delete=models.CASCADE, related_name="custodies"
    )
    custodian_kind = models.CharField(_("托管方类别"), max_length=24, choices=CustodianKind.choices)
    custodian = models.ForeignKey(
        "org.Unit", verbose_name=_("托管单位"), on_delete=models.PROTECT, related_name="+"
    )
    starts = models.DateField(_("托管开始"))
    ends = models.DateField(_("托管期满"), null=True, blank=True)
    scope = models.TextField(_("托管范围"))
    state = models.CharField(_("状态"), max_length=16, choices=State.choices, default=State.ACTIVE)
    handed_to = models.ForeignKey(
        "org.Unit",
        verbose_name=_("移交给"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    handover_date = models.DateField(_("移交日期"), null=True, blank=True)
    handover_note = models.TextField(_("移交事项"), blank=True)
    ended_on = models.DateField(_("结束日期"), null=True, blank=True)
    end_reason = models.TextField(_("结束原因"), blank=True)
    version = models.PositiveIntegerField(_("版本"), default=1)

    class Meta:
        verbose_name = _("临时托管")
        verbose_name_plural = _("临时托管")
        ordering = ["estate", "-starts", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["estate"], condition=Q(state="active"), name="custody_one_active"
            )
        ]

    def __str__(self) -> str:
        return f"{self.estate_id} · {self.get_custodian_kind_display()}"


class UtilityWork(BaseModel):
    """Planned works of a utility (004 三(三); 003 二(十四)): the estates concerned, the time
    window and what is cut, announced ahead by a configurable lead
    (``GONGZHI_UTILITY_NOTICE_HOURS``); it reaches the estates' property companies' inboxes
    and the estates' boards."""

    class Supply(models.TextChoices):
        WATER = "water", _("停水")
        POWER = "power", _("停电")
        GAS = "gas", _("停气")
        HEAT = "heat", _("停暖")
        TELECOM = "telecom", _("通信中断")

    utility = models.ForeignKey(
        "org.Unit", verbose_name=_("专营单位"), on_delete=models.PROTECT, related_name="+"
    )
    estates = models.ManyToManyField("org.Estate", verbose_name=_("涉及小区"), related_name="+")
    supply = models.CharField(_("影响"), max_length=16, choices=Supply.choices)
    starts_at = models.DateTimeField(_("开始时间"))
    ends_at = models.DateTimeField(_("结束时间"), db_index=True)
    title = models.CharField(_("标题"), max_length=100)
    description = models.TextField(_("说明"), blank=True)
    announced_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("公告人"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    class Meta:
        verbose_name = _("计划停水停电公告")
        verbose_name_plural = _("计划停水停电公告")
        ordering = ["-starts_at", "-id"]

    def __str__(self) -> str:
        return self.title


class UtilityWorkReceipt(BaseModel):
    """A property company's inbox entry for planned works at its estates."""

    work = models.ForeignKey(
        UtilityWork, verbose_name=_("公告"), on_delete=models.CASCADE, related_name="receipts"
    )
    unit = models.ForeignKey(
        "org.Unit", verbose_name=_("物业服务企业"), on_delete=models.CASCADE, related_name="+"
    )
    read_at = models.DateTimeField(_("阅读时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("停水停电公告送达")
        verbose_name_plural = _("停水停电公告送达")
        ordering = ["work", "id"]
        constraints = [
            models.UniqueConstraint(fields=["work", "unit"], name="utility_receipt_unique")
        ]


class Outage(BaseModel):
    """An unplanned outage as a mass incident (004 三(三): 发生停水、停气、停电、停热等突发事件时，
    物业服务企业要配合有关单位做好抢险、抢修等工作): the utility, the estates affected, what
    is cut, when it started and is expected back; the cases it caused are linked to it, the
    estates' property companies get co-operation tasks, and closing it (restored) updates
    every linked case."""

    class State(models.TextChoices):
        OPEN = "open", _("抢修中")
        RESTORED = "restored", _("已恢复")

    utility = models.ForeignKey(
        "org.Unit", verbose_name=_("专营单位"), on_delete=models.PROTECT, related_name="+"
    )
    estates = models.ManyToManyField("org.Estate", verbose_name=_("涉及小区"), related_name="+")
    supply = models.CharField(_("影响"), max_length=16, choices=UtilityWork.Supply.choices)
    title = models.CharField(_("标题"), max_length=100)
    description = models.TextField(_("说明"), blank=True)
    started_at = models.DateTimeField(_("发生时间"))
    expected_at = models.DateTimeField(_("预计恢复时间"))
    restored_at = models.DateTimeField(_("恢复时间"), null=True, blank=True)
    restore_note = models.TextField(_("恢复说明"), blank=True)
    # Set once by the sweep when the expected time passes with the outage still open.
    overdue_reminded_at = models.DateTimeField(_("超时提醒时间"), null=True, blank=True)
    state = models.CharField(
        _("状态"), max_length=16, choices=State.choices, default=State.OPEN, db_index=True
    )
    version = models.PositiveIntegerField(_("版本"), default=1)
    opened_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("登记人"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    class Meta:
        verbose_name = _("突发停水停电事件")
        verbose_name_plural = _("突发停水停电事件")
        ordering = ["-started_at", "-id"]
        indexes = [
            # The sweep: open outages not yet reminded, by expected restore time.
            models.Index(
                fields=["expected_at"],
                name="outage_overdue_idx",
                condition=Q(state="open", overdue_reminded_at__isnull=True),
            )
        ]

    def __str__(self) -> str:
        return self.title


class OutageCase(BaseModel):
    """A case the outage caused. A case belongs to one outage at most."""

    outage = models.ForeignKey(
        Outage, verbose_name=_("事件"), on_delete=models.CASCADE, related_name="links"
    )
    case = models.OneToOneField(
        "cases.Case", verbose_name=_("案件"), on_delete=models.CASCADE, related_name="+"
    )
    linked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("关联人"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    # On closing: what the restoration did to the case ("handled", "noted").
    outcome = models.CharField(_("恢复时处理"), max_length=16, blank=True)

    class Meta:
        verbose_name = _("事件关联案件")
        verbose_name_plural = _("事件关联案件")
        ordering = ["outage", "id"]


class OutageTask(BaseModel):
    """A property company's co-operation task for an estate of the outage (004 三(三))."""

    outage = models.ForeignKey(
        Outage, verbose_name=_("事件"), on_delete=models.CASCADE, related_name="tasks"
    )
    estate = models.ForeignKey(
        "org.Estate", verbose_name=_("小区"), on_delete=models.CASCADE, related_name="+"
    )
    unit = models.ForeignKey(
        "org.Unit", verbose_name=_("物业服务企业"), on_delete=models.CASCADE, related_name="+"
    )
    kind = models.CharField(_("配合事项"), max_length=24)
    done_at = models.DateTimeField(_("完成时间"), null=True, blank=True)
    done_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("完成人"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    note = models.CharField(_("说明"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("配合任务")
        verbose_name_plural = _("配合任务")
        ordering = ["outage", "estate", "id"]
        constraints = [
            models.UniqueConstraint(fields=["outage", "estate", "kind"], name="outage_task_unique")
        ]


class OutageUpdate(BaseModel):
    """A progress update posted on the outage (抢修进展)."""

    outage = models.ForeignKey(
        Outage, verbose_name=_("事件"), on_delete=models.CASCADE, related_name="updates"
    )
    text = models.TextField(_("进展"))
    posted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("发布人"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    unit = models.ForeignKey(
        "org.Unit",
        verbose_name=_("发布单位"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    class Meta:
        verbose_name = _("抢修进展")
        verbose_name_plural = _("抢修进展")
        ordering = ["outage", "created_at", "id"]
