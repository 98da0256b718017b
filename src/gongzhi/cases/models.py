"""Cases (诉求/案件): intake, the unit responsible, its tasks and clocks, the append-only
event log every history and metric is computed from, attachments, the 呈报表 of the
six-step enforcement procedure (003 四), accountability records and rating appeals."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from gongzhi.cases.events import EventKind
from gongzhi.common.models import BaseModel


class Channel(models.TextChoices):
    VISIT = "visit", _("来访")
    HOTLINE_12345 = "12345", _("12345 热线")
    MAYOR_HOTLINE = "mayor", _("市长热线")
    HOTLINE_12319 = "12319", _("12319 城建热线")
    ONLINE = "online", _("网络诉求")
    OPINION = "opinion", _("网络舆情")
    MEDIA = "media", _("媒体曝光")
    PATROL = "patrol", _("巡查发现")
    REFERRAL = "referral", _("单位移交")
    WEB = "web", _("居民网上报事")


class State(models.TextChoices):
    REGISTERED = "registered", _("待分派")
    DISPATCHED = "dispatched", _("待签收")
    ACCEPTED = "accepted", _("已签收")
    IN_PROGRESS = "in_progress", _("办理中")
    SUSPENDED = "suspended", _("已挂起")
    RETURNED = "returned", _("已退回")
    ESCALATED = "escalated", _("已上报")
    HANDLED = "handled", _("已办结")
    FEEDBACK = "feedback", _("待评价")
    REVIEW = "review", _("待复核")
    CLOSED = "closed", _("已结案")
    MERGED = "merged", _("已合并")


OPEN_STATES = (
    State.REGISTERED,
    State.DISPATCHED,
    State.ACCEPTED,
    State.IN_PROGRESS,
    State.SUSPENDED,
    State.RETURNED,
    State.ESCALATED,
    State.HANDLED,
    State.FEEDBACK,
    State.REVIEW,
)
# States in which the responsible unit's clock runs.
CLOCK_STATES = (State.DISPATCHED, State.ACCEPTED, State.IN_PROGRESS)


class Urgency(models.TextChoices):
    NORMAL = "normal", _("一般")
    URGENT = "urgent", _("紧急")
    CRITICAL = "critical", _("特急")


class Rating(models.TextChoices):
    SATISFIED = "satisfied", _("满意")
    BASIC = "basic", _("基本满意")
    DISSATISFIED = "dissatisfied", _("不满意")


class EnforcementStep(models.TextChoices):
    """The six steps of 003 四: 发现 → 拍照 → 制止 → 呈报 → 处理 → 结案."""

    DISCOVER = "discover", _("发现")
    PHOTO = "photo", _("拍照")
    STOP = "stop", _("制止")
    REPORT = "report", _("呈报")
    HANDLE = "handle", _("处理")
    CLOSE = "close", _("结案")


class LedgerCounter(models.Model):
    """The last ledger number (台账编号) given in a jurisdiction and year."""

    jurisdiction = models.ForeignKey(
        "org.Jurisdiction", verbose_name=_("辖区"), on_delete=models.CASCADE, related_name="+"
    )
    year = models.PositiveSmallIntegerField(_("年度"))
    last = models.PositiveIntegerField(_("已用编号"), default=0)

    class Meta:
        verbose_name = _("台账编号计数")
        verbose_name_plural = _("台账编号计数")
        ordering = ["jurisdiction", "year"]
        constraints = [
            models.UniqueConstraint(fields=["jurisdiction", "year"], name="ledger_counter_unique")
        ]

    def __str__(self) -> str:
        return f"{self.jurisdiction_id}/{self.year}: {self.last}"


class Case(BaseModel):
    # Set by the service: the moment the case was registered (an integration may pass
    # the time the hotline took the call), not the moment the row was written.
    created_at = models.DateTimeField(_("登记时间"), default=timezone.now, db_index=True)
    number = models.CharField(_("台账编号"), max_length=40, unique=True)
    jurisdiction = models.ForeignKey(
        "org.Jurisdiction",
        verbose_name=_("台账辖区"),
        on_delete=models.PROTECT,
        related_name="ledger_cases",
        help_text=_("登记台账的县（市、区），编号在该辖区和年度内唯一"),
    )
    year = models.PositiveSmallIntegerField(_("年度"))
    channel = models.CharField(_("来源渠道"), max_length=16, choices=Channel.choices)
    external_ref = models.CharField(_("外部工单号"), max_length=64, blank=True)
    # Scoped to the caller ("u<id>:<key>"), so one caller's key never finds another's case;
    # the digest of the request body tells a replay from a different body under one key.
    idempotency_key = models.CharField(
        _("幂等键"), max_length=140, null=True, blank=True, unique=True
    )
    idempotency_digest = models.CharField(_("请求摘要"), max_length=64, blank=True)
    registered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("登记人"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="registered_cases",
    )
    # A hash of the secret the reporter was given at intake for following the case.
    track_key_hash = models.CharField(_("查询码摘要"), max_length=64, blank=True)
    reporter_name = models.CharField(_("诉求人姓名"), max_length=50, blank=True)
    reporter_phone = models.CharField(_("诉求人电话"), max_length=20, blank=True)
    reporter_user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("诉求人账号"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="reported_cases",
    )
    reporting_unit = models.ForeignKey(
        "org.Unit",
        verbose_name=_("发现/移交单位"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="reported_cases",
    )
    estate = models.ForeignKey(
        "org.Estate", verbose_name=_("小区"), on_delete=models.PROTECT, related_name="cases"
    )
    # The estate's community path ("/37/3708/…/"), copied at intake: who may read a case
    # by area is one indexed prefix test on the case row, with no join.
    area_path = models.CharField(
        _("区域路径"), max_length=255, default="", editable=False, db_index=True
    )
    building = models.CharField(_("楼栋"), max_length=20, blank=True)
    unit_no = models.CharField(_("单元"), max_length=20, blank=True)
    room = models.CharField(_("房号"), max_length=20, blank=True)
    location = models.CharField(_("具体位置"), max_length=200, blank=True)
    matter = models.ForeignKey(
        "catalog.MatterType",
        verbose_name=_("事项"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="cases",
    )
    title = models.CharField(_("标题"), max_length=120)
    description = models.TextField(_("诉求内容"))
    # What the public board shows of the case, approved by the office; empty: the
    # matter's name and the estate, never the reporter's own words.
    public_summary = models.CharField(_("公示摘要"), max_length=200, blank=True)
    urgency = models.CharField(
        _("紧急程度"), max_length=10, choices=Urgency.choices, default=Urgency.NORMAL
    )
    state = models.CharField(
        _("状态"), max_length=16, choices=State.choices, default=State.REGISTERED
    )
    version = models.PositiveIntegerField(_("版本"), default=1)
    level = models.ForeignKey(
        "org.Jurisdiction",
        verbose_name=_("办理层级"),
        on_delete=models.PROTECT,
        related_name="cases_at_level",
        help_text=_("当前负责分派、督办该案件的层级"),
    )
    lead_unit = models.ForeignKey(
        "org.Unit",
        verbose_name=_("责任单位"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="led_cases",
    )
    transferred_from = models.ForeignKey(
        "org.Unit",
        verbose_name=_("转办单位"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="transferred_cases",
        help_text=_("办理结果须反馈给该单位（004 三(二)）"),
    )
    route_reasons = models.JSONField(_("分派依据"), default=list, blank=True)
    resume_state = models.CharField(_("恢复后状态"), max_length=16, blank=True)
    dispatched_at = models.DateTimeField(_("派单时间"), null=True, blank=True)
    accept_due_at = models.DateTimeField(_("签收时限"), null=True, blank=True)
    response_due_at = models.DateTimeField(_("响应时限"), null=True, blank=True)
    resolve_due_at = models.DateTimeField(_("办结时限"), null=True, blank=True)
    accepted_at = models.DateTimeField(_("签收时间"), null=True, blank=True)
    responded_at = models.DateTimeField(_("首次响应时间"), null=True, blank=True)
    handled_at = models.DateTimeField(_("办结时间"), null=True, blank=True)
    closed_at = models.DateTimeField(_("结案时间"), null=True, blank=True)
    suspended_at = models.DateTimeField(_("挂起时间"), null=True, blank=True)
    warned_at = models.DateTimeField(_("预警时间"), null=True, blank=True)
    breached_at = models.DateTimeField(_("超时时间"), null=True, blank=True)
    result = models.TextField(_("办理结果"), blank=True)
    rating = models.CharField(_("评价"), max_length=16, choices=Rating.choices, blank=True)
    rating_reason = models.TextField(_("评价理由"), blank=True)
    reopen_count = models.PositiveSmallIntegerField(_("重办次数"), default=0)
    escalation_count = models.PositiveSmallIntegerField(_("上报次数"), default=0)
    return_count = models.PositiveSmallIntegerField(_("退回次数"), default=0)
    merged_into = models.ForeignKey(
        "self",
        verbose_name=_("并入案件"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="merged_cases",
    )
    is_enforcement = models.BooleanField(_("执法处置案件"), default=False)
    enforcement_step = models.CharField(
        _("处置步骤"), max_length=10, choices=EnforcementStep.choices, blank=True
    )
    on_site_action = models.TextField(_("现场制止情况"), blank=True)

    class Meta:
        verbose_name = _("案件")
        verbose_name_plural = _("案件")
        ordering = ["-created_at", "-id"]
        indexes = [
            # The unit inbox: open cases of a unit by due time.
            models.Index(
                fields=["lead_unit", "state", "resolve_due_at"],
                name="case_inbox_idx",
            ),
            # The dispatch desks: cases waiting at a level.
            models.Index(fields=["level", "state"], name="case_desk_idx"),
            # The sweep: open cases whose clocks run, by due time.
            models.Index(
                fields=["accept_due_at"],
                name="case_accept_due_idx",
                condition=Q(state="dispatched"),
            ),
            models.Index(
                fields=["resolve_due_at"],
                name="case_resolve_due_idx",
                condition=Q(state__in=["dispatched", "accepted", "in_progress", "escalated"]),
            ),
            models.Index(fields=["estate", "state"], name="case_estate_idx"),
            models.Index(fields=["jurisdiction", "year"], name="case_ledger_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.number} {self.title}"

    @property
    def is_open(self) -> bool:
        return self.state in OPEN_STATES

    @property
    def state_label(self) -> str:
        return str(State(self.state).label)

    def place_label(self, *, with_room: bool) -> str:
        """Building, entrance, room and location as one line ("5号楼 2单元 302室 东侧"),
        whether the building was typed as "5" or "5号楼"; the room only when asked."""
        parts = [
            _suffixed(self.building, "号楼", ("号楼", "栋", "幢", "楼")),
            _suffixed(self.unit_no, "单元", ("单元",)),
            _suffixed(self.room, "室", ("室",)) if with_room else "",
            self.location,
        ]
        return " ".join(p for p in parts if p)


def _suffixed(value: str, suffix: str, already: tuple[str, ...]) -> str:
    value = value.strip()
    if not value or value.endswith(already) or not value[-1].isdigit():
        return value
    return f"{value}{suffix}"


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
    action = models.CharField(_("动作"), max_length=24, choices=EventKind.choices, db_index=True)
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
        return f"{self.case.number} 呈报表"


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
