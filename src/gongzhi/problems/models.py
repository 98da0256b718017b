"""Estate problems handled by the three parties at their tier (002 (二)第二–五条), the
consultations held on them (第六条), their public progress notes (002 (三)第一条), and the
major matters that need the street's and the community party organisation's early
intervention (第七条). The moves of each are declared in workflow.py."""

from __future__ import annotations

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from gongzhi.common.models import BaseModel
from gongzhi.parties.models import Party


class Tier(models.TextChoices):
    DAILY = "daily", _("日常问题")
    MAJOR = "major", _("重大问题")
    BEYOND = "beyond", _("超出三方职责的问题")
    HISTORICAL = "historical", _("历史遗留问题")


class State(models.TextChoices):
    OPEN = "open", _("三方研究解决中")
    REFERRED = "referred", _("已报居委会协调")
    AGREED = "agreed", _("已形成协商意见")
    INVESTIGATING = "investigating", _("调查协商中")
    PROPOSED = "proposed", _("意见已报社区党组织和联席会议办公室")
    CONFERENCE = "conference", _("联席会议研究中")
    SUGGESTED = "suggested", _("建议已报社区党组织")
    ASKED = "asked", _("已提请街道吹哨")
    WHISTLED = "whistled", _("街道已吹哨、部门报到")
    REGISTERED = "registered", _("已登记")
    REPORTED = "reported", _("已向街道和有关部门反映")
    EXPLAINED = "explained", _("已向居民解释说明")
    RESOLVED = "resolved", _("已解决")
    RETURNED = "returned", _("已转回案件办理")


CLOSED_STATES = (State.RESOLVED, State.RETURNED)


class Problem(BaseModel):
    """One problem raised in an estate, handled by the three parties at its tier."""

    estate = models.ForeignKey(
        "org.Estate", verbose_name=_("小区"), on_delete=models.PROTECT, related_name="problems"
    )
    tier = models.CharField(_("层级"), max_length=16, choices=Tier.choices)
    state = models.CharField(_("状态"), max_length=16, choices=State.choices)
    title = models.CharField(_("问题"), max_length=120)
    description = models.TextField(_("情况"), blank=True)
    lead_party = models.CharField(
        _("牵头方"), max_length=24, choices=Party.choices, default=Party.RESIDENTS_COMMITTEE
    )
    case = models.ForeignKey(
        "cases.Case",
        verbose_name=_("关联案件"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="problems",
    )
    raised_by = models.ForeignKey(
        "org.Unit",
        verbose_name=_("提出单位"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    # The limit of the current step (workflow.LIMITS); empty when the step has none.
    due_at = models.DateTimeField(_("本环节期限"), null=True, blank=True)
    closed_at = models.DateTimeField(_("办结时间"), null=True, blank=True)
    version = models.PositiveIntegerField(_("版本"), default=1)

    class Meta:
        verbose_name = _("三方协同问题")
        verbose_name_plural = _("三方协同问题")
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(
                fields=["due_at"],
                name="problem_open_due",
                condition=Q(closed_at__isnull=True, due_at__isnull=False),
            ),
            models.Index(fields=["estate", "state"], name="problem_estate_state"),
        ]

    def __str__(self) -> str:
        return f"{self.get_tier_display()} · {self.title}"

    @property
    def is_closed(self) -> bool:
        return self.state in CLOSED_STATES


class Note(BaseModel):
    """What the parties owe residents on the board (002 (三)第一条): the agreed opinion of a
    daily problem, the first opinion sent to the residents' committee, the proposals, the
    progress and answers of a major or historical problem, the explanation to residents."""

    class Kind(models.TextChoices):
        FIRST_OPINION = "first_opinion", _("初步意见")
        AGREED_OPINION = "agreed_opinion", _("三方协商落实意见")
        PROPOSAL = "proposal", _("解决问题意见或建议")
        PROGRESS = "progress", _("进展情况")
        ANSWER = "answer", _("有关单位答复")
        EXPLANATION = "explanation", _("向居民解释说明")
        RESOLUTION = "resolution", _("解决结果")

    problem = models.ForeignKey(
        Problem, verbose_name=_("问题"), on_delete=models.CASCADE, related_name="notes"
    )
    kind = models.CharField(_("类别"), max_length=16, choices=Kind.choices)
    text = models.TextField(_("内容"))
    unit = models.ForeignKey(
        "org.Unit",
        verbose_name=_("发布单位"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    class Meta:
        verbose_name = _("问题公示记录")
        verbose_name_plural = _("问题公示记录")
        ordering = ["problem", "created_at", "id"]

    def __str__(self) -> str:
        return f"{self.problem_id} · {self.get_kind_display()}"


class Consultation(BaseModel):
    """One consultation held on a problem (002 (二)第六条): its date, form, participants
    and summary, with an optional attachment (the sign-in sheet, the minutes)."""

    class Form(models.TextChoices):
        TALK = "talk", _("民情恳谈会")
        HEARING = "hearing", _("工作听证会")
        REVIEW = "review", _("服务评议会")
        VISIT = "visit", _("上门走访")

    problem = models.ForeignKey(
        Problem, verbose_name=_("问题"), on_delete=models.CASCADE, related_name="consultations"
    )
    held_on = models.DateField(_("日期"))
    form = models.CharField(_("形式"), max_length=16, choices=Form.choices)
    participants = models.TextField(_("参加人员"))
    summary = models.TextField(_("情况摘要"))
    attachment = models.FileField(_("附件"), upload_to="problems/%Y/", blank=True)
    unit = models.ForeignKey(
        "org.Unit",
        verbose_name=_("记录单位"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    class Meta:
        verbose_name = _("协商记录")
        verbose_name_plural = _("协商记录")
        ordering = ["problem", "held_on", "id"]

    def __str__(self) -> str:
        return f"{self.problem_id} · {self.get_form_display()} · {self.held_on}"


class EarlyMatter(BaseModel):
    """A major matter the conference office must invite the street and the community
    party organisation to step into before it is decided (002 (二)第七条)."""

    class Kind(models.TextChoices):
        MAINTENANCE_FUND = "maintenance_fund", _("大额维修资金使用")
        COMPANY_CHANGE = "company_change", _("物业服务企业变更")
        FEE_CHANGE = "fee_change", _("物业费调整")

    class State(models.TextChoices):
        PROPOSED = "proposed", _("待邀请提前介入")
        INVITED = "invited", _("街道、社区党组织已介入")
        DECIDED = "decided", _("已决定")
        CARRIED_OUT = "carried_out", _("已落实")
        WITHDRAWN = "withdrawn", _("已撤回")

    estate = models.ForeignKey(
        "org.Estate", verbose_name=_("小区"), on_delete=models.PROTECT, related_name="early_matters"
    )
    kind = models.CharField(_("事项类别"), max_length=24, choices=Kind.choices)
    title = models.CharField(_("事项"), max_length=120)
    description = models.TextField(_("情况"), blank=True)
    state = models.CharField(
        _("状态"), max_length=16, choices=State.choices, default=State.PROPOSED
    )
    decision = models.TextField(_("决定"), blank=True)
    outcome = models.TextField(_("落实情况"), blank=True)
    raised_by = models.ForeignKey(
        "org.Unit",
        verbose_name=_("提出单位"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    version = models.PositiveIntegerField(_("版本"), default=1)

    class Meta:
        verbose_name = _("提前介入事项")
        verbose_name_plural = _("提前介入事项")
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} · {self.title}"


class Invitation(BaseModel):
    """The record that a body was invited to step in early (002 (二)第七条)."""

    class Body(models.TextChoices):
        STREET = "street", _("街道（乡镇）")
        PARTY_ORG = "party_org", _("社区党组织")

    matter = models.ForeignKey(
        EarlyMatter, verbose_name=_("事项"), on_delete=models.CASCADE, related_name="invitations"
    )
    body = models.CharField(_("受邀方"), max_length=16, choices=Body.choices)
    invitee = models.CharField(_("受邀单位"), max_length=100)
    invited_on = models.DateField(_("邀请日期"))
    note = models.TextField(_("说明"), blank=True)
    unit = models.ForeignKey(
        "org.Unit",
        verbose_name=_("邀请单位"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    class Meta:
        verbose_name = _("提前介入邀请")
        verbose_name_plural = _("提前介入邀请")
        ordering = ["matter", "body"]
        constraints = [
            models.UniqueConstraint(fields=["matter", "body"], name="invitation_one_per_body")
        ]

    def __str__(self) -> str:
        return f"{self.matter_id} · {self.get_body_display()}"
