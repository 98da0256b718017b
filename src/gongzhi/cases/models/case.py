"""The case itself: its states and kinds, its ledger number, its clocks."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

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
# What the estate map reads of an open case besides its place (its two partial indexes).
MAP_COLUMNS = ["state", "resolve_due_at", "accept_due_at", "breached_at", "lead_unit", "matter"]
# The ledger's keys and the columns its filters test (cases/selectors.py ``_filters``:
# state, open, estate, matter, channel, the lead unit, the overdue test), held by the
# indexes a part of a reader's scope is read by, so that its count and its keys are read
# from the index alone (``LedgerPages``).
LEDGER_WALK_COLUMNS = ["id", *MAP_COLUMNS, "estate", "channel"]
# States in which the responsible unit's clock runs.
CLOCK_STATES = (State.DISPATCHED, State.ACCEPTED, State.IN_PROGRESS)


class Source(models.TextChoices):
    """Where a case row came from: registered here, or imported from a unit's old ledger
    (stats/imports: historical cases, their events written from the ledger's columns)."""

    LIVE = "live", _("系统登记")
    IMPORT = "import", _("历史台账导入")


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
    # Unique by a constraint (Meta), not unique=True: that would add a second, pattern
    # index nobody searches by (the same for the idempotency key and the area path).
    number = models.CharField(_("台账编号"), max_length=40)
    # Indexed by case_ledger_idx (jurisdiction, year) and the original-number constraint,
    # both led by this column (as estate, level and lead unit by their composites below):
    # fewer indexes to write per case at intake, import and synth (issue 12).
    jurisdiction = models.ForeignKey(
        "org.Jurisdiction",
        verbose_name=_("台账辖区"),
        on_delete=models.PROTECT,
        db_index=False,
        related_name="ledger_cases",
        help_text=_("登记台账的县（市、区），编号在该辖区和年度内唯一"),
    )
    year = models.PositiveSmallIntegerField(_("年度"))
    channel = models.CharField(_("来源渠道"), max_length=16, choices=Channel.choices)
    external_ref = models.CharField(_("外部工单号"), max_length=64, blank=True)
    source = models.CharField(
        _("数据来源"), max_length=8, choices=Source.choices, default=Source.LIVE
    )
    # The number the case had in the old ledger it was imported from: a re-import of the
    # same ledger skips it (unique within the ledger's jurisdiction).
    original_number = models.CharField(_("原台账编号"), max_length=60, blank=True)
    # Scoped to the caller ("u<id>:<key>"), so one caller's key never finds another's case;
    # the digest of the request body tells a replay from a different body under one key.
    idempotency_key = models.CharField(_("幂等键"), max_length=140, null=True, blank=True)
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
        "org.Estate",
        verbose_name=_("小区"),
        on_delete=models.PROTECT,
        related_name="cases",
        db_index=False,
    )
    # The estate's community path ("/37/3708/…/"), copied at intake: who may read a case
    # by area is one indexed prefix test on the case row, with no join.
    area_path = models.CharField(_("区域路径"), max_length=255, default="", editable=False)
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
        db_index=False,
        help_text=_("当前负责分派、督办该案件的层级"),
    )
    lead_unit = models.ForeignKey(
        "org.Unit",
        verbose_name=_("责任单位"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="led_cases",
        db_index=False,
    )
    transferred_from = models.ForeignKey(
        "org.Unit",
        verbose_name=_("转办单位"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="transferred_cases",
        help_text=_("办理结果须反馈给该单位（004 三(二)）"),
        db_index=False,  # case_transfer_walk_idx
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
            # The sweep's warning step: running clocks not warned yet (a warned case
            # leaves the index, so a pass does not read it again until its limit).
            models.Index(
                fields=["resolve_due_at"],
                name="case_warn_due_idx",
                condition=Q(state__in=["dispatched", "accepted", "in_progress"], warned_at=None),
            ),
            # The sweep's response step: dispatched or accepted, nobody on site yet.
            models.Index(
                fields=["response_due_at"],
                name="case_response_due_idx",
                condition=Q(state__in=["dispatched", "accepted"], responded_at__isnull=True),
            ),
            # The sweep's rating steps: feedback waiting for the reporter's rating.
            models.Index(
                fields=["updated_at"],
                name="case_feedback_idx",
                condition=Q(state="feedback"),
            ),
            models.Index(fields=["estate", "state"], name="case_estate_idx"),
            models.Index(fields=["jurisdiction", "year"], name="case_ledger_idx"),
            # Breached cases (one arm of the ledger's "overdue" filter, cases/selectors
            # overdue_q; the other two have the sweep's partial indexes): with it the
            # filter is a bitmap of index scans, not a walk from the newest case through a
            # unit's mostly punctual cases (issue 12).
            models.Index(
                fields=["created_at"],
                name="case_breached_idx",
                condition=Q(breached_at__isnull=False),
            ),
            # A rare channel's newest cases (the ledger's channel filter, the hotline's
            # own work): read by channel, not by walking every date (issue 12).
            models.Index(fields=["channel", "created_at"], name="case_channel_idx"),
            # The dashboards' estate map (stats/selectors.py ``open_by_estate``): open
            # cases by area and by estate, holding the columns of the overdue test and of
            # the board's narrowing, so a county's or a company's count is read from the
            # index alone, not from the table (issue 12: 1.4 s at 10 M cases).
            models.Index(
                fields=["area_path"],
                name="case_open_area_idx",
                opclasses=["varchar_pattern_ops"],
                include=[*MAP_COLUMNS, "estate"],
                condition=Q(state__in=[s.value for s in OPEN_STATES]),
            ),
            models.Index(
                fields=["estate"],
                name="case_open_estate_idx",
                include=MAP_COLUMNS,
                condition=Q(state__in=[s.value for s in OPEN_STATES]),
            ),
            # The ledger by the parts of a reader's scope (cases/selectors.py
            # ``LedgerPages``): the cases a unit leads, those it transferred, those of an
            # estate (a property company, an owners' committee), each by date with the
            # filters' columns, so that a part's count under any filter and its keys are
            # read from the index alone: a unit's cases of one estate at 10 M, 402 ms as
            # one OR of indexes, 7 ms (docs/performance.md).
            models.Index(
                fields=["lead_unit", "created_at"],
                name="case_lead_walk_idx",
                include=[c for c in LEDGER_WALK_COLUMNS if c != "lead_unit"],
            ),
            models.Index(
                fields=["transferred_from", "created_at"],
                name="case_transfer_walk_idx",
                include=LEDGER_WALK_COLUMNS,
                condition=Q(transferred_from__isnull=False),
            ),
            models.Index(
                fields=["estate", "created_at"],
                name="case_estate_walk_idx",
                include=[c for c in LEDGER_WALK_COLUMNS if c != "estate"],
            ),
            # Who may read a case by area: a prefix test (LIKE '/37/3708/%'); the pattern
            # operator class serves it whatever the collation, and equality too.
            models.Index(
                fields=["area_path"], name="case_area_path_idx", opclasses=["varchar_pattern_ops"]
            ),
        ]
        constraints = [
            models.UniqueConstraint(fields=["number"], name="case_number_unique"),
            models.UniqueConstraint(fields=["idempotency_key"], name="case_idempotency_key_unique"),
            models.UniqueConstraint(
                fields=["jurisdiction", "original_number"],
                condition=~Q(original_number=""),
                name="case_original_number_unique",
            ),
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
        # i18n: data (an address is written the Chinese way, in every language)
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
