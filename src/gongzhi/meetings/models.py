"""Joint conferences at work: each standing body's schedule, its meetings, the topics
proposed to it, notices and participants, leave and attendance, minutes and the
decisions followed up to done (000 三(四), 002 (一), 003 三(二), 004 三(四))."""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from gongzhi.common.models import BaseModel
from gongzhi.meetings.workflow import (
    DecisionState,
    LeaveState,
    MeetingState,
    MinutesState,
    TopicState,
)


class Schedule(BaseModel):
    """When a body meets. Months are those where (month - anchor_month) is a multiple of
    ``interval_months``; in each, the office's chosen weekday of the chosen week; moved to
    the nearest working day of the same month when that day is a holiday."""

    class Rule(models.TextChoices):
        MONTHLY = "monthly", _("每月一次")
        EVERY_N_MONTHS = "every_n_months", _("每 N 个月一次")
        EVEN_MONTHS_LAST_WEEK = "even_months_last_week", _("每个双月最后一周")

    class Weekday(models.IntegerChoices):
        MON = 0, _("星期一")
        TUE = 1, _("星期二")
        WED = 2, _("星期三")
        THU = 3, _("星期四")
        FRI = 4, _("星期五")

    LAST_WEEK = 5

    body = models.OneToOneField(
        "org.Body", verbose_name=_("议事机构"), on_delete=models.CASCADE, related_name="schedule"
    )
    rule = models.CharField(_("召开周期"), max_length=24, choices=Rule.choices)
    interval_months = models.PositiveSmallIntegerField(_("间隔月数"), default=1)
    anchor_month = models.PositiveSmallIntegerField(_("起始月份"), default=1)
    week_of_month = models.PositiveSmallIntegerField(
        _("第几周"), default=3, help_text=_("1–4；5 表示最后一周")
    )
    weekday = models.PositiveSmallIntegerField(_("星期"), choices=Weekday.choices, default=2)
    start_time = models.TimeField(_("开始时间"), default=dt.time(9, 0))
    place = models.CharField(_("会议地点"), max_length=200, blank=True)
    notice_days = models.PositiveSmallIntegerField(_("提前通知天数"), default=3)
    remind_days = models.PositiveSmallIntegerField(_("到期前提醒天数"), default=3)
    source = models.CharField(_("出处"), max_length=120, blank=True)

    class Meta:
        verbose_name = _("会议周期")
        verbose_name_plural = _("会议周期")
        ordering = ["body"]

    def __str__(self) -> str:
        return f"{self.body} · {self.describe()}"

    def describe(self) -> str:
        """The period in words, translated as whole sentences (the word order differs
        between languages): 每月第2周星期三 09:00."""
        last = self.week_of_month >= self.LAST_WEEK or self.rule == self.Rule.EVEN_MONTHS_LAST_WEEK
        parts = {
            "week": self.week_of_month,
            "weekday": self.Weekday(self.weekday).label,
            "time": f"{self.start_time:%H:%M}",
            "months": self.interval_months,
            "anchor": self.anchor_month,
        }
        if self.rule == self.Rule.EVEN_MONTHS_LAST_WEEK:
            pattern = gettext("每个双月最后一周%(weekday)s %(time)s")
        elif self.rule == self.Rule.MONTHLY:
            pattern = (
                gettext("每月最后一周%(weekday)s %(time)s")
                if last
                else gettext("每月第%(week)s周%(weekday)s %(time)s")
            )
        elif last:
            pattern = gettext("每%(months)s个月（自%(anchor)s月起）最后一周%(weekday)s %(time)s")
        else:
            pattern = gettext(
                "每%(months)s个月（自%(anchor)s月起）第%(week)s周%(weekday)s %(time)s"
            )
        return pattern % parts


class Meeting(BaseModel):
    class Kind(models.TextChoices):
        PLANNED = "planned", _("例会")
        PLENARY = "plenary", _("全体成员会议")
        PARTIAL = "partial", _("部分成员会议")

    body = models.ForeignKey(
        "org.Body", verbose_name=_("议事机构"), on_delete=models.PROTECT, related_name="meetings"
    )
    kind = models.CharField(_("会议类型"), max_length=16, choices=Kind.choices)
    title = models.CharField(_("会议名称"), max_length=200)
    starts_at = models.DateTimeField(_("召开时间"))
    planned_date = models.DateField(_("计划日期"), null=True, blank=True, editable=False)
    place = models.CharField(_("地点"), max_length=200, blank=True)
    chair = models.ForeignKey(
        "org.Person",
        verbose_name=_("主持人"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="chaired_meetings",
    )
    state = models.CharField(
        _("状态"), max_length=16, choices=MeetingState.choices, default=MeetingState.PLANNED
    )
    notice_sent_at = models.DateTimeField(_("通知发出时间"), null=True, blank=True)
    # What the notice said about the previous meeting's decisions (000 三(三)1), kept as
    # sent; the live status is shown until then.
    decisions_report = models.JSONField(_("上期议定事项落实情况"), default=list, blank=True)
    held_at = models.DateTimeField(_("实际召开时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("会议")
        verbose_name_plural = _("会议")
        ordering = ["-starts_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["body", "planned_date"],
                condition=Q(planned_date__isnull=False),
                name="meeting_one_planned_per_day",
            )
        ]
        indexes = [
            models.Index(fields=["body", "starts_at"], name="meeting_body_time_idx"),
            # The sweep's look-up of meetings whose day passed without being held.
            models.Index(
                fields=["starts_at"],
                name="meeting_pending_time_idx",
                condition=Q(state__in=["planned", "noticed"]),
            ),
        ]

    def __str__(self) -> str:
        return self.title


class Topic(BaseModel):
    """议题 (000 三(四)2(4)). An escalated decision becomes a topic of the next level's
    body with ``escalated_from`` pointing at it, so its whole history comes along."""

    body = models.ForeignKey(
        "org.Body", verbose_name=_("议事机构"), on_delete=models.PROTECT, related_name="topics"
    )
    proposing_unit = models.ForeignKey(
        "org.Unit", verbose_name=_("提出单位"), on_delete=models.PROTECT, related_name="topics"
    )
    title = models.CharField(_("议题"), max_length=200)
    background = models.TextField(_("背景情况"))
    ask = models.TextField(_("提请研究事项"))
    attachment = models.FileField(_("附件"), upload_to="meetings/topics/%Y/", blank=True)
    estates = models.ManyToManyField(
        "org.Estate", verbose_name=_("涉及小区"), blank=True, related_name="topics"
    )
    cases = models.ManyToManyField(
        "cases.Case", verbose_name=_("关联案件"), blank=True, related_name="meeting_topics"
    )
    state = models.CharField(
        _("状态"), max_length=16, choices=TopicState.choices, default=TopicState.PROPOSED
    )
    reject_reason = models.TextField(_("不予批准理由"), blank=True)
    meeting = models.ForeignKey(
        Meeting,
        verbose_name=_("列入会议"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="topics",
    )
    agenda_order = models.PositiveSmallIntegerField(_("议程顺序"), default=0)
    escalated_from = models.ForeignKey(
        "Decision",
        verbose_name=_("由下级议定事项提请"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="escalated_topics",
    )
    proposed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("提交人"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    class Meta:
        verbose_name = _("议题")
        verbose_name_plural = _("议题")
        ordering = ["meeting_id", "agenda_order", "-created_at"]
        indexes = [models.Index(fields=["body", "state"], name="topic_body_state_idx")]

    def __str__(self) -> str:
        return self.title


class Invitation(BaseModel):
    """A participant of one meeting: a member unit (its member attends), or an outside
    unit or leader invited to attend or observe (000 三(四)2(2))."""

    class Role(models.TextChoices):
        MEMBER = "member", _("成员单位")
        INVITED = "invited", _("特邀参加")
        OBSERVER = "observer", _("列席")

    meeting = models.ForeignKey(
        Meeting, verbose_name=_("会议"), on_delete=models.CASCADE, related_name="invitations"
    )
    role = models.CharField(_("参会身份"), max_length=16, choices=Role.choices)
    unit = models.ForeignKey(
        "org.Unit",
        verbose_name=_("单位"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="meeting_invitations",
    )
    person = models.ForeignKey(
        "org.Person",
        verbose_name=_("参会人"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="meeting_invitations",
    )
    name = models.CharField(_("单位或人员（外部）"), max_length=100, blank=True)
    notified_at = models.DateTimeField(_("通知时间"), null=True, blank=True)
    read_at = models.DateTimeField(_("已阅时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("参会单位")
        verbose_name_plural = _("参会单位")
        ordering = ["meeting", "role", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["meeting", "unit"],
                condition=Q(unit__isnull=False),
                name="invitation_one_per_unit",
            )
        ]

    def __str__(self) -> str:
        return self.label

    @property
    def label(self) -> str:
        return str(self.unit or self.name or self.person or "")


class LeaveRequest(BaseModel):
    invitation = models.ForeignKey(
        Invitation, verbose_name=_("参会单位"), on_delete=models.CASCADE, related_name="leaves"
    )
    reason = models.TextField(_("请假事由"))
    substitute = models.ForeignKey(
        "org.Person",
        verbose_name=_("代会人员"),
        on_delete=models.PROTECT,
        related_name="substitutions",
    )
    state = models.CharField(
        _("状态"), max_length=16, choices=LeaveState.choices, default=LeaveState.REQUESTED
    )
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("批准人"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    decided_at = models.DateTimeField(_("批准时间"), null=True, blank=True)
    filed_at = models.DateTimeField(_("备案时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("请假")
        verbose_name_plural = _("请假")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return gettext("%(invitation)s 请假") % {"invitation": self.invitation}


class Attendance(BaseModel):
    class Status(models.TextChoices):
        PRESENT = "present", _("出席")
        SUBSTITUTE = "substitute", _("委托代会")
        LEAVE = "leave", _("请假")
        ABSENT = "absent", _("缺席")

    invitation = models.OneToOneField(
        Invitation, verbose_name=_("参会单位"), on_delete=models.CASCADE, related_name="attendance"
    )
    status = models.CharField(_("出席情况"), max_length=16, choices=Status.choices)
    attendee = models.ForeignKey(
        "org.Person",
        verbose_name=_("实到人员"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="attendances",
    )
    note = models.CharField(_("备注"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("出席记录")
        verbose_name_plural = _("出席记录")
        ordering = ["invitation"]

    def __str__(self) -> str:
        return f"{self.invitation} {self.get_status_display()}"


class Minutes(BaseModel):
    meeting = models.OneToOneField(
        Meeting, verbose_name=_("会议"), on_delete=models.CASCADE, related_name="minutes"
    )
    summary = models.TextField(_("会议概况"), blank=True)
    state = models.CharField(
        _("状态"), max_length=16, choices=MinutesState.choices, default=MinutesState.DRAFT
    )
    is_public = models.BooleanField(_("向社会公开"), default=False)
    signed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("审签人"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    signed_at = models.DateTimeField(_("审签时间"), null=True, blank=True)
    sent_at = models.DateTimeField(_("分送时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("会议纪要")
        verbose_name_plural = _("会议纪要")
        ordering = ["-meeting__starts_at"]

    def __str__(self) -> str:
        return gettext("%(meeting)s 纪要") % {"meeting": self.meeting}


class MinutesItem(BaseModel):
    """The minutes of one topic: the proposing unit's report, the other members' views,
    and what was decided (000 三(四)2(6))."""

    minutes = models.ForeignKey(
        Minutes, verbose_name=_("会议纪要"), on_delete=models.CASCADE, related_name="items"
    )
    topic = models.ForeignKey(
        Topic, verbose_name=_("议题"), on_delete=models.PROTECT, related_name="minutes_items"
    )
    report = models.TextField(_("提议单位汇报"), blank=True)
    views = models.TextField(_("成员单位意见"), blank=True)
    conclusion = models.TextField(_("会议议定"), blank=True)

    class Meta:
        verbose_name = _("纪要条目")
        verbose_name_plural = _("纪要条目")
        ordering = ["minutes", "topic__agenda_order", "id"]
        constraints = [
            models.UniqueConstraint(fields=["minutes", "topic"], name="minutes_item_one_per_topic")
        ]

    def __str__(self) -> str:
        return str(self.topic)


class Decision(BaseModel):
    """议定事项: one responsible unit, co-operating units, a due date, a required outcome."""

    meeting = models.ForeignKey(
        Meeting, verbose_name=_("会议"), on_delete=models.PROTECT, related_name="decisions"
    )
    topic = models.ForeignKey(
        Topic,
        verbose_name=_("议题"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="decisions",
    )
    title = models.CharField(_("议定事项"), max_length=300)
    required_outcome = models.TextField(_("落实要求"))
    responsible_unit = models.ForeignKey(
        "org.Unit",
        verbose_name=_("责任单位"),
        on_delete=models.PROTECT,
        related_name="meeting_decisions",
    )
    cooperating_units = models.ManyToManyField(
        "org.Unit", verbose_name=_("配合单位"), blank=True, related_name="cooperating_decisions"
    )
    due_date = models.DateField(_("完成时限"))
    cases = models.ManyToManyField(
        "cases.Case", verbose_name=_("关联案件"), blank=True, related_name="meeting_decisions"
    )
    state = models.CharField(
        _("状态"), max_length=16, choices=DecisionState.choices, default=DecisionState.OPEN
    )
    outcome = models.TextField(_("落实结果"), blank=True)
    done_at = models.DateTimeField(_("办结时间"), null=True, blank=True)
    overdue_at = models.DateTimeField(_("逾期标记时间"), null=True, blank=True)
    reminded_at = models.DateTimeField(_("提醒时间"), null=True, blank=True)
    # With cases linked: does "done" close them, or hand them back with instructions?
    closes_cases = models.BooleanField(_("办结时结案"), default=True)
    case_instructions = models.TextField(_("退回承办单位的要求"), blank=True)

    class Meta:
        verbose_name = _("议定事项")
        verbose_name_plural = _("议定事项")
        ordering = ["due_date", "id"]
        indexes = [models.Index(fields=["state", "due_date"], name="decision_state_due_idx")]

    def __str__(self) -> str:
        return self.title

    @property
    def is_open(self) -> bool:
        return self.state not in (DecisionState.DONE,)


class DecisionProgress(BaseModel):
    decision = models.ForeignKey(
        Decision, verbose_name=_("议定事项"), on_delete=models.CASCADE, related_name="progress"
    )
    unit = models.ForeignKey(
        "org.Unit",
        verbose_name=_("报告单位"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    text = models.TextField(_("进展情况"))
    kind = models.CharField(_("类别"), max_length=16, default="progress")
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("报告人"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    class Meta:
        verbose_name = _("落实进展")
        verbose_name_plural = _("落实进展")
        ordering = ["decision", "created_at", "id"]

    def __str__(self) -> str:
        return self.text[:40]


class InboxMessage(BaseModel):
    """A message in a unit's inbox: notices, minutes sent, reminders, overdue flags.
    ``key`` makes the sweep idempotent: one message per (unit, key)."""

    class Kind(models.TextChoices):
        NOTICE = "notice", _("会议通知")
        MINUTES = "minutes", _("会议纪要")
        TOPIC = "topic", _("议题")
        DECISION = "decision", _("议定事项")
        REMINDER = "reminder", _("督办提醒")
        OVERDUE = "overdue", _("逾期督办")

    unit = models.ForeignKey(
        "org.Unit", verbose_name=_("收件单位"), on_delete=models.CASCADE, related_name="inbox"
    )
    kind = models.CharField(_("类别"), max_length=16, choices=Kind.choices)
    key = models.CharField(_("去重键"), max_length=80)
    text = models.CharField(_("内容"), max_length=300)
    meeting = models.ForeignKey(
        Meeting, null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    topic = models.ForeignKey(
        Topic, null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    decision = models.ForeignKey(
        Decision, null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    read_at = models.DateTimeField(_("已阅时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("收件")
        verbose_name_plural = _("收件")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["unit", "key"], name="inbox_one_per_unit_key")
        ]

    def __str__(self) -> str:
        return self.text
