"""Pages: bodies and members, the calendar, topics and their approval, the office's
agenda builder, the notice, attendance, the minutes editor, the decisions board, each
unit's inbox and the summaries. Views parse the form and call one service; the rules
are in services.py and access.py."""

from __future__ import annotations

import calendar
import datetime as dt
from collections.abc import Callable
from typing import Any, cast

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.db import transaction
from django.db.models import Q
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone

from gongzhi.cases.models import Case
from gongzhi.common.errors import DomainError, FieldError, InvalidInput, PermissionDenied
from gongzhi.common.workcal import SHANGHAI, is_workday
from gongzhi.meetings import access, selectors
from gongzhi.meetings import services as s
from gongzhi.meetings.documents import minutes_pdf, notice_pdf, summary_xlsx
from gongzhi.meetings.models import (
    Attendance,
    Decision,
    InboxMessage,
    Invitation,
    LeaveRequest,
    Meeting,
    Minutes,
    Schedule,
    Topic,
)
from gongzhi.meetings.workflow import DecisionState, MeetingState, TopicState
from gongzhi.org.models import Body, BodyMember, Estate, Person, Unit, User
from gongzhi.org.permissions import Scope, scope_for
from gongzhi.org.selectors import body_current_members
from gongzhi.org.services import body_member_assign, person_create

# ---------------------------------------------------------------- form helpers


class Form:
    """Reads a POST and collects field errors in Chinese instead of raising at once."""

    def __init__(self, data: Any) -> None:
        self.data = data
        self.errors: list[FieldError] = []

    def text(self, name: str) -> str:
        return str(self.data.get(name, "")).strip()

    def int(self, name: str, label: str, *, required: bool = True) -> int | None:
        raw = self.text(name)
        if not raw:
            if required:
                self.errors.append(FieldError(name, f"请填写{label}"))
            return None
        try:
            return int(raw)
        except ValueError:
            self.errors.append(FieldError(name, f"{label}应为整数"))
            return None

    def date(self, name: str, label: str) -> dt.date | None:
        raw = self.text(name)
        try:
            return dt.date.fromisoformat(raw)
        except ValueError:
            self.errors.append(FieldError(name, f"{label}格式应为 YYYY-MM-DD"))
            return None

    def datetime(self, name: str, label: str) -> dt.datetime | None:
        raw = self.text(name)
        try:
            value = dt.datetime.fromisoformat(raw)
        except ValueError:
            self.errors.append(FieldError(name, f"{label}格式应为 YYYY-MM-DD HH:MM"))
            return None
        return value if value.tzinfo else value.replace(tzinfo=SHANGHAI)

    def time(self, name: str, label: str) -> dt.time | None:
        try:
            return dt.time.fromisoformat(self.text(name))
        except ValueError:
            self.errors.append(FieldError(name, f"{label}格式应为 HH:MM"))
            return None

    def obj(self, model: Any, name: str, label: str, *, required: bool = True) -> Any:
        pk = self.int(name, label, required=required)
        if pk is None:
            return None
        found = model.objects.filter(pk=pk).first()
        if found is None:
            self.errors.append(FieldError(name, f"所选{label}不存在"))
        return found

    def objs(self, model: Any, name: str) -> list[Any]:
        ids = [int(v) for v in self.data.getlist(name) if str(v).isdigit()]
        return list(model.objects.filter(pk__in=ids))

    def check(self) -> None:
        if self.errors:
            raise InvalidInput(errors=self.errors)


Handler = Callable[[Form], str]


def _post(request: HttpRequest, handlers: dict[str, Handler]) -> tuple[HttpResponse | None, dict]:
    """Run the handler named by the form's ``action``. Success: a message and a redirect
    back (or to what the handler returned). Failure: the errors for the page, a 4xx."""
    action = request.POST.get("action", "")
    handler = handlers.get(action)
    if handler is None:
        return None, {"errors": [FieldError("action", "未知操作")], "status": 400}
    form = Form(request.POST)
    try:
        result = handler(form)
    except InvalidInput as exc:
        return None, {"errors": exc.errors, "summary": exc.message, "status": 422}
    except PermissionDenied as exc:
        raise DjangoPermissionDenied(exc.message) from exc
    except DomainError as exc:
        return None, {
            "errors": [FieldError("", exc.message)],
            "summary": exc.message,
            "status": exc.status,
        }
    if result.startswith("/"):
        return redirect(result), {}
    messages.success(request, result)
    return redirect(request.get_full_path()), {}


def _render(request: HttpRequest, template: str, context: dict, extra: dict) -> HttpResponse:
    status = extra.pop("status", 200)
    context.update(extra)
    return render(request, template, context, status=status)


def _actor(request: HttpRequest) -> User:
    return cast(User, request.user)


def _readable_body(request: HttpRequest, body: Body) -> Scope:
    scope = scope_for(request.user)
    if not access.can_read(scope, body):
        raise DjangoPermissionDenied("无权查看该议事机构")
    return scope


def _body_flags(scope: Scope, body: Body) -> dict[str, bool]:
    return {
        "can_manage": access.can_manage(scope, body),
        "can_convene": access.can_convene(scope, body),
        "is_member": access.is_member(scope, body),
    }


def _month(raw: str) -> dt.date:
    try:
        year, month = (int(x) for x in raw.split("-"))
        return dt.date(year, month, 1)
    except ValueError:
        return timezone.localdate().replace(day=1)


# ---------------------------------------------------------------- bodies and calendar


@login_required
def index(request: HttpRequest) -> HttpResponse:
    scope = scope_for(request.user)
    bodies = list(access.visible_bodies(scope).select_related("schedule"))
    now = timezone.now()
    upcoming = (
        selectors.visible_meetings(scope)
        .filter(starts_at__gte=now)
        .exclude(state=MeetingState.CANCELLED)
        .order_by("starts_at")[:20]
    )
    recent = (
        selectors.visible_meetings(scope)
        .filter(starts_at__lt=now)
        .exclude(state=MeetingState.CANCELLED)
        .order_by("-starts_at")[:10]
    )
    return render(
        request,
        "meetings/index.html",
        {"bodies": bodies, "upcoming": upcoming, "recent": recent},
    )


@login_required
def calendar_view(request: HttpRequest) -> HttpResponse:
    scope = scope_for(request.user)
    first = _month(request.GET.get("month", ""))
    days = calendar.monthrange(first.year, first.month)[1]
    last = first.replace(day=days)
    start_at = dt.datetime.combine(first, dt.time(0), tzinfo=SHANGHAI)
    end_at = dt.datetime.combine(last + dt.timedelta(days=1), dt.time(0), tzinfo=SHANGHAI)
    by_day: dict[dt.date, list[Meeting]] = {}
    for m in selectors.visible_meetings(scope).filter(
        starts_at__gte=start_at, starts_at__lt=end_at
    ):
        by_day.setdefault(m.starts_at.astimezone(SHANGHAI).date(), []).append(m)
    weeks = []
    for week in calendar.Calendar(firstweekday=0).monthdatescalendar(first.year, first.month):
        weeks.append(
            [
                {
                    "day": d,
                    "in_month": d.month == first.month,
                    "workday": is_workday(d),
                    "meetings": sorted(by_day.get(d, []), key=lambda m: m.starts_at),
                }
                for d in week
            ]
        )
    prev_month = (first - dt.timedelta(days=1)).replace(day=1)
    next_month = last + dt.timedelta(days=1)
    return render(
        request,
        "meetings/calendar.html",
        {"first": first, "weeks": weeks, "prev": prev_month, "next": next_month},
    )


@login_required
def body_detail(request: HttpRequest, pk: int) -> HttpResponse:
    body = get_object_or_404(Body.objects.select_related("jurisdiction", "office_unit"), pk=pk)
    scope = _readable_body(request, body)
    extra: dict[str, Any] = {}
    if request.method == "POST":
        user = _actor(request)

        def set_schedule(f: Form) -> str:
            weekday = f.int("weekday", "星期")
            week = f.int("week_of_month", "第几周")
            interval = f.int("interval_months", "间隔月数", required=False) or 1
            anchor = f.int("anchor_month", "起始月份", required=False) or 1
            notice = f.int("notice_days", "提前通知天数")
            remind = f.int("remind_days", "提醒天数")
            start_time = f.time("start_time", "开始时间")
            f.check()
            s.schedule_set(
                body=body,
                rule=f.text("rule"),
                weekday=weekday or 0,
                week_of_month=week or 1,
                interval_months=interval,
                anchor_month=anchor,
                start_time=start_time or dt.time(9),
                place=f.text("place"),
                notice_days=notice or 0,
                remind_days=remind or 0,
                source=f.text("source"),
                actor=user,
            )
            return "会议周期已保存"

        def plan(f: Form) -> str:
            start = f.date("start", "开始日期")
            end = f.date("end", "结束日期")
            f.check()
            assert start and end
            made = s.meetings_plan(body=body, start=start, end=end, actor=user)
            return f"已生成 {len(made)} 次例会"

        def adhoc(f: Form) -> str:
            starts = f.datetime("starts_at", "召开时间")
            units = f.objs(Unit, "units")
            f.check()
            assert starts
            meeting = s.meeting_create(
                body=body,
                kind=f.text("kind"),
                starts_at=starts,
                place=f.text("place"),
                title=f.text("title"),
                units=units,
                actor=user,
            )
            return f"/meetings/m/{meeting.pk}/"

        def member(f: Form) -> str:
            """Record a confirmed change of composition (000 三(二)): the new seat, and
            the seat it replaces, which is end-dated and kept as history."""
            unit = f.obj(Unit, "unit", "单位", required=False)
            replaces = f.obj(BodyMember, "replaces", "被替换成员", required=False)
            start = f.date("start_date", "起始日期")
            name = f.text("person")
            if not f.text("reason"):
                f.errors.append(FieldError("reason", "请注明变更依据（如经第几次会议确认）"))
            if replaces is not None and replaces.body_id != body.pk:
                f.errors.append(FieldError("replaces", "被替换的成员不属于该议事机构"))
            if unit is None and not name:
                f.errors.append(FieldError("person", "请选择单位或填写人员姓名"))
            if not access.can_manage(scope_for(user), body):
                raise PermissionDenied("只有联席会议办公室可以登记成员变更")
            f.check()
            assert start is not None
            with transaction.atomic():
                person = person_create(name=name) if name else None
                body_member_assign(
                    body=body,
                    role=f.text("role"),
                    unit=unit,
                    person=person,
                    title=f.text("title"),
                    start_date=start,
                    replaces=replaces,
                    actor=user,
                    reason=f.text("reason"),
                )
            return "成员变更已登记"

        response, extra = _post(
            request, {"schedule": set_schedule, "plan": plan, "adhoc": adhoc, "member": member}
        )
        if response:
            return response
    current = body_current_members(body.pk).order_by("sort", "id")
    history = body.members.filter(end_date__isnull=False).select_related("unit", "person")
    meetings = body.meetings.select_related("chair").order_by("-starts_at")[:30]
    topics = body.topics.select_related("proposing_unit", "meeting").order_by("-created_at")[:30]
    schedule = Schedule.objects.filter(body=body).first()
    today = timezone.localdate()
    context = {
        "body": body,
        "current": current,
        "history": history,
        "meetings": meetings,
        "topics": topics,
        "schedule": schedule,
        "rules": Schedule.Rule.choices,
        "weekdays": Schedule.Weekday.choices,
        "kinds": [(k, v) for k, v in Meeting.Kind.choices if k != Meeting.Kind.PLANNED],
        "member_units": [m.unit for m in current if m.unit_id],
        "seat_roles": BodyMember.Role.choices,
        "all_units": Unit.objects.filter(
            Q(jurisdiction__path__startswith=body.jurisdiction.path)
            | Q(jurisdiction__code__in=body.jurisdiction.ancestor_codes())
        ).order_by("jurisdiction__path", "name")[:400],
        "plan_start": today,
        "plan_end": dt.date(today.year, 12, 31),
        "next_body": s.next_level_body(body),
        **_body_flags(scope, body),
    }
    return _render(request, "meetings/body_detail.html", context, extra)


# ---------------------------------------------------------------- topics


@login_required
def topics(request: HttpRequest) -> HttpResponse:
    """Topics waiting for the convener, and the topics of the user's units."""
    scope = scope_for(request.user)
    pending = selectors.pending_topics(scope)
    mine = (
        Topic.objects.filter(proposing_unit_id__in=scope.unit_ids)
        .select_related("body", "meeting", "proposing_unit")
        .order_by("-created_at")[:50]
    )
    managed = [b for b in access.visible_bodies(scope) if access.can_manage(scope, b)]
    approved = (
        Topic.objects.filter(body__in=managed, state=TopicState.APPROVED)
        .select_related("body", "proposing_unit")
        .order_by("created_at")
    )
    proposable = [
        b
        for b in access.visible_bodies(scope)
        if access.member_unit_ids(b) & scope.unit_ids or access.can_manage(scope, b)
    ]
    return render(
        request,
        "meetings/topics.html",
        {"pending": pending, "mine": mine, "approved": approved, "proposable": proposable},
    )


@login_required
def topic_review(request: HttpRequest, pk: int) -> HttpResponse:
    """htmx: approve or reject one topic, answer with its row."""
    topic = get_object_or_404(Topic.objects.select_related("body", "proposing_unit"), pk=pk)
    if request.method != "POST":
        return redirect("meetings:topic_detail", pk=pk)
    errors: list[FieldError] = []
    status = 200
    try:
        s.topic_review(
            topic=topic,
            approve=request.POST.get("decision") == "approve",
            reason=request.POST.get("reason", ""),
            actor=_actor(request),
        )
    except InvalidInput as exc:
        errors, status = exc.errors, 422
    except PermissionDenied as exc:
        raise DjangoPermissionDenied(exc.message) from exc
    except DomainError as exc:
        errors, status = [FieldError("", exc.message)], exc.status
    topic.refresh_from_db()
    if request.htmx:  # type: ignore[attr-defined]
        return render(
            request, "meetings/_topic_row.html", {"t": topic, "errors": errors}, status=status
        )
    if not errors:
        messages.success(request, f"议题“{topic.title}”：{topic.get_state_display()}")
    else:
        messages.error(request, "；".join(e.message for e in errors))
    return redirect("meetings:topics")


@login_required
def topic_propose(request: HttpRequest, body_pk: int) -> HttpResponse:
    body = get_object_or_404(Body.objects.select_related("jurisdiction"), pk=body_pk)
    scope = _readable_body(request, body)
    member_ids = access.member_unit_ids(body)
    if access.can_manage(scope, body):
        units = Unit.objects.filter(pk__in=member_ids | ({body.office_unit_id} - {None}))
    else:
        units = Unit.objects.filter(pk__in=member_ids & scope.unit_ids)
    if not units:
        raise DjangoPermissionDenied("您的单位不是该议事机构的成员单位")
    estates = Estate.objects.filter(community__path__startswith=body.jurisdiction.path)
    extra: dict[str, Any] = {}
    if request.method == "POST":

        def propose(f: Form) -> str:
            unit = f.obj(Unit, "unit", "提出单位")
            if unit is not None and not units.filter(pk=unit.pk).exists():
                f.errors.append(FieldError("unit", "只能以本单位名义提出议题"))
            f.check()
            topic = s.topic_propose(
                body=body,
                unit=unit,
                title=f.text("title"),
                background=f.text("background"),
                ask=f.text("ask"),
                estates=f.objs(Estate, "estates"),
                attachment=request.FILES.get("attachment"),
                actor=_actor(request),
            )
            return f"/meetings/topics/{topic.pk}/"

        response, extra = _post(request, {"propose": propose})
        if response:
            return response
    context = {"body": body, "units": units, "estates": estates, "form": request.POST}
    return _render(request, "meetings/topic_form.html", context, extra)


@login_required
def topic_detail(request: HttpRequest, pk: int) -> HttpResponse:
    topic = get_object_or_404(
        Topic.objects.select_related(
            "body__jurisdiction", "proposing_unit", "meeting", "escalated_from__meeting__body"
        ),
        pk=pk,
    )
    scope = scope_for(request.user)
    if not (access.can_read(scope, topic.body) or scope.in_unit(topic.proposing_unit_id)):
        raise DjangoPermissionDenied("无权查看该议题")
    history = None
    if topic.escalated_from is not None:
        history = topic.escalated_from
    return render(
        request,
        "meetings/topic_detail.html",
        {"topic": topic, "origin": history, **_body_flags(scope, topic.body)},
    )


# ---------------------------------------------------------------- meetings


def _meeting(request: HttpRequest, pk: int) -> tuple[Meeting, Scope]:
    meeting = get_object_or_404(
        Meeting.objects.select_related("body__jurisdiction", "body__office_unit", "chair"), pk=pk
    )
    scope = scope_for(request.user)
    invited = meeting.invitations.filter(unit_id__in=scope.unit_ids).exists()
    if not (access.can_read(scope, meeting.body) or invited):
        raise DjangoPermissionDenied("无权查看该会议")
    return meeting, scope


@login_required
def meeting_detail(request: HttpRequest, pk: int) -> HttpResponse:
    meeting, scope = _meeting(request, pk)
    user = _actor(request)
    extra: dict[str, Any] = {}
    if request.method == "POST":

        def notice(f: Form) -> str:
            s.meeting_notice_send(meeting=meeting, actor=user)
            return "会议通知已发出"

        def invite(f: Form) -> str:
            unit = f.obj(Unit, "unit", "单位", required=False)
            f.check()
            s.invitation_add(
                meeting=meeting,
                role=f.text("role"),
                unit=unit,
                name=f.text("name"),
                actor=user,
            )
            return "已加入参会名单"

        def transition(f: Form) -> str:
            s.meeting_transition(
                meeting=meeting, to=f.text("to"), actor=user, reason=f.text("reason")
            )
            return "会议状态已更新"

        def leave(f: Form) -> str:
            inv = f.obj(Invitation, "invitation", "参会单位")
            person = f.obj(Person, "substitute", "代会人员", required=False)
            f.check()
            if inv.meeting_id != meeting.pk:
                raise InvalidInput(errors=[FieldError("invitation", "不是本次会议的参会单位")])
            s.leave_request(invitation=inv, reason=f.text("reason"), substitute=person, actor=user)
            return "请假申请已提交，等待召集人批准"

        def leave_decide(f: Form) -> str:
            leave = f.obj(LeaveRequest, "leave", "请假申请")
            f.check()
            s.leave_decide(
                leave=leave,
                approve=f.text("decision") == "approve",
                reason=f.text("reason"),
                actor=user,
            )
            return "请假申请已处理"

        def leave_file(f: Form) -> str:
            leave = f.obj(LeaveRequest, "leave", "请假申请")
            f.check()
            s.leave_file(leave=leave, actor=user)
            return "请假已备案"

        response, extra = _post(
            request,
            {
                "notice": notice,
                "invite": invite,
                "transition": transition,
                "leave": leave,
                "leave_decide": leave_decide,
                "leave_file": leave_file,
            },
        )
        if response:
            return response
    agenda = selectors.meeting_agenda(meeting)
    invitations = list(
        meeting.invitations.select_related("unit", "person").prefetch_related("leaves__substitute")
    )
    for inv in invitations:
        inv.current_leave = next(  # type: ignore[attr-defined]
            (lv for lv in inv.leaves.all() if lv.state != "rejected"), None
        )
        mine = scope.in_unit(inv.unit_id)
        inv.mine = mine  # type: ignore[attr-defined]
        inv.people = (  # type: ignore[attr-defined]
            Person.objects.filter(posts__unit_id=inv.unit_id, posts__end_date__isnull=True)
            .distinct()
            .order_by("name")
            if mine and inv.unit_id
            else []
        )
    context = {
        "meeting": meeting,
        "agenda": agenda,
        "invitations": invitations,
        "roles": Invitation.Role.choices,
        "units": Unit.objects.filter(
            Q(jurisdiction__path__startswith=meeting.body.jurisdiction.path)
            | Q(jurisdiction__code__in=meeting.body.jurisdiction.ancestor_codes())
        )
        .exclude(pk__in=[i.unit_id for i in invitations if i.unit_id])
        .order_by("jurisdiction__path", "name")[:300],
        "minutes": Minutes.objects.filter(meeting=meeting).first(),
        "notice_by": _notice_deadline(meeting),
        "decisions": meeting.decisions.select_related("responsible_unit"),
        **_body_flags(scope, meeting.body),
    }
    return _render(request, "meetings/meeting_detail.html", context, extra)


def _notice_deadline(meeting: Meeting) -> dt.date | None:
    """The last day to send the notice: the body's lead time before the meeting."""
    schedule = Schedule.objects.filter(body=meeting.body).first()
    if schedule is None or meeting.notice_sent_at is not None:
        return None
    return meeting.starts_at.astimezone(SHANGHAI).date() - dt.timedelta(days=schedule.notice_days)


@login_required
def agenda_builder(request: HttpRequest, pk: int) -> HttpResponse:
    """The office compiles approved topics into the agenda (000 三(四)2(4)); candidates
    from cases are suggested."""
    meeting, scope = _meeting(request, pk)
    if not access.can_manage(scope, meeting.body):
        raise DjangoPermissionDenied("只有联席会议办公室可以编排议程")
    errors: list[FieldError] = []
    status = 200
    if request.method == "POST":
        form = Form(request.POST)
        try:
            topic = form.obj(Topic, "topic", "议题")
            form.check()
            if form.text("action") == "remove":
                s.topic_unschedule(topic=topic, actor=_actor(request))
            elif form.text("action") == "add":
                s.topic_schedule(topic=topic, meeting=meeting, actor=_actor(request))
            else:
                raise InvalidInput(errors=[FieldError("action", "未知操作")])
        except InvalidInput as exc:
            errors, status = exc.errors, 422
        except PermissionDenied as exc:
            raise DjangoPermissionDenied(exc.message) from exc
        except DomainError as exc:
            errors, status = [FieldError("", exc.message)], exc.status
        meeting.refresh_from_db()
        if not request.htmx and not errors:  # type: ignore[attr-defined]
            return redirect("meetings:agenda", pk=meeting.pk)
    context = {
        "meeting": meeting,
        "agenda": selectors.meeting_agenda(meeting),
        "approved": meeting.body.topics.filter(state=TopicState.APPROVED).select_related(
            "proposing_unit"
        ),
        "candidates": selectors.case_candidates(meeting.body),
        "agenda_editable": meeting.state == MeetingState.PLANNED,
        "errors": errors,
    }
    template = "meetings/_agenda.html" if request.htmx else "meetings/agenda.html"  # type: ignore[attr-defined]
    return render(request, template, context, status=status)


@login_required
def case_topic(request: HttpRequest, pk: int) -> HttpResponse:
    """The office raises one or more cases (same estate and matter) as a topic."""
    meeting, _scope = _meeting(request, pk)
    if request.method != "POST":
        return redirect("meetings:agenda", pk=pk)
    ids = [int(v) for v in request.POST.getlist("cases") if v.isdigit()]
    try:
        topic = s.topic_from_cases(
            body=meeting.body, cases=list(Case.objects.filter(pk__in=ids)), actor=_actor(request)
        )
    except PermissionDenied as exc:
        raise DjangoPermissionDenied(exc.message) from exc
    except DomainError as exc:
        errors = getattr(exc, "errors", None) or [FieldError("", exc.message)]
        messages.error(request, "；".join(e.message for e in errors))
        return redirect("meetings:agenda", pk=pk)
    messages.success(request, f"已提出议题“{topic.title}”，待召集人批准")
    return redirect("meetings:topic_detail", pk=topic.pk)


@login_required
def notice(request: HttpRequest, pk: int) -> HttpResponse:
    meeting, scope = _meeting(request, pk)
    if request.GET.get("format") == "pdf":
        response = HttpResponse(notice_pdf(meeting), content_type="application/pdf")
        response["Content-Disposition"] = f'inline; filename="notice-{meeting.pk}.pdf"'
        return response
    # Opening the notice marks it read for the user's invited units.
    now = timezone.now()
    meeting.invitations.filter(unit_id__in=scope.unit_ids, read_at__isnull=True).update(read_at=now)
    InboxMessage.objects.filter(
        meeting=meeting, unit_id__in=scope.unit_ids, read_at__isnull=True
    ).update(read_at=now)
    return render(
        request,
        "meetings/notice.html",
        {
            "meeting": meeting,
            "agenda": selectors.meeting_agenda(meeting),
            "invitations": meeting.invitations.select_related("unit").prefetch_related(
                "leaves__substitute"
            ),
        },
    )


@login_required
def attendance(request: HttpRequest, pk: int) -> HttpResponse:
    meeting, scope = _meeting(request, pk)
    if not access.can_manage(scope, meeting.body):
        raise DjangoPermissionDenied("只有联席会议办公室可以登记出席情况")
    invitations = list(
        meeting.invitations.select_related("unit", "attendance__attendee").prefetch_related(
            "leaves__substitute"
        )
    )
    extra: dict[str, Any] = {}
    if request.method == "POST":

        def record(f: Form) -> str:
            rows = []
            for inv in invitations:
                status = f.text(f"status-{inv.pk}")
                if not status:
                    continue
                attendee = f.int(f"attendee-{inv.pk}", "代会人员", required=False)
                rows.append(
                    s.AttendanceRow(
                        invitation_id=inv.pk,
                        status=status,
                        attendee_id=attendee,
                        note=f.text(f"note-{inv.pk}"),
                    )
                )
            f.check()
            s.attendance_record(meeting=meeting, rows=rows, actor=_actor(request))
            return "出席情况已登记"

        response, extra = _post(request, {"record": record})
        if response:
            return response
    rows = []
    for inv in invitations:
        leave = next((lv for lv in inv.leaves.all() if lv.state in ("approved", "filed")), None)
        att = getattr(inv, "attendance", None)
        default = att.status if att else ("substitute" if leave else "present")
        attendee = att.attendee if att else (leave.substitute if leave else None)
        people = (
            Person.objects.filter(posts__unit_id=inv.unit_id, posts__end_date__isnull=True)
            .distinct()
            .order_by("name")
            if inv.unit_id
            else Person.objects.none()
        )
        rows.append(
            {
                "inv": inv,
                "status": default,
                "attendee": attendee,
                "people": people,
                "leave": leave,
                "note": att.note if att else "",
            }
        )
    context = {"meeting": meeting, "rows": rows, "statuses": Attendance.Status.choices}
    return _render(request, "meetings/attendance.html", context, extra)


@login_required
def minutes_editor(request: HttpRequest, pk: int) -> HttpResponse:
    meeting, scope = _meeting(request, pk)
    flags = _body_flags(scope, meeting.body)
    minutes = Minutes.objects.filter(meeting=meeting).first()
    if request.GET.get("format") == "pdf":
        if minutes is None:
            raise Http404("尚无会议纪要")
        response = HttpResponse(minutes_pdf(minutes), content_type="application/pdf")
        response["Content-Disposition"] = f'inline; filename="minutes-{meeting.pk}.pdf"'
        return response
    user = _actor(request)
    extra: dict[str, Any] = {}
    topics = list(meeting.topics.select_related("proposing_unit").order_by("agenda_order"))
    if request.method == "POST":

        def save(f: Form) -> str:
            items = [
                s.MinutesItemIn(
                    topic_id=t.pk,
                    report=f.text(f"report-{t.pk}"),
                    views=f.text(f"views-{t.pk}"),
                    conclusion=f.text(f"conclusion-{t.pk}"),
                )
                for t in topics
            ]
            s.minutes_save(
                meeting=meeting,
                summary=f.text("summary"),
                items=items,
                is_public=f.text("is_public") == "on",
                actor=user,
            )
            return "纪要已保存"

        def need() -> Minutes:
            if minutes is None:
                raise DomainError("尚无会议纪要")
            return minutes

        def sign(f: Form) -> str:
            s.minutes_sign(minutes=need(), actor=user)
            return "纪要已审签"

        def send_back(f: Form) -> str:
            s.minutes_return(minutes=need(), actor=user, reason=f.text("reason"))
            return "纪要已退回修改"

        def send(f: Form) -> str:
            s.minutes_send(minutes=need(), actor=user)
            return "纪要已分送各参会单位和有关单位"

        def decide(f: Form) -> str:
            topic = f.obj(Topic, "topic", "议题", required=False)
            unit = f.obj(Unit, "responsible_unit", "责任单位", required=False)
            due = f.date("due_date", "完成时限") if f.text("due_date") else None
            f.check()
            s.decision_add(
                meeting=meeting,
                topic=topic,
                title=f.text("title"),
                required_outcome=f.text("required_outcome"),
                responsible_unit=unit,
                cooperating_units=f.objs(Unit, "cooperating_units"),
                due_date=due,
                closes_cases=f.text("closes_cases") != "return",
                case_instructions=f.text("case_instructions"),
                actor=user,
            )
            return "议定事项已登记"

        done, extra = _post(
            request,
            {"save": save, "sign": sign, "return": send_back, "send": send, "decide": decide},
        )
        if done:
            return done
    items = {i.topic_id: i for i in minutes.items.all()} if minutes else {}
    context = {
        "meeting": meeting,
        "minutes": minutes,
        "rows": [{"topic": t, "item": items.get(t.pk)} for t in topics],
        "decisions": meeting.decisions.select_related("responsible_unit").prefetch_related(
            "cooperating_units"
        ),
        "units": Unit.objects.filter(
            pk__in=[i.unit_id for i in meeting.invitations.all() if i.unit_id]
        ).order_by("name"),
        "editable": meeting.state == MeetingState.HELD
        and (minutes is None or minutes.state == "draft"),
        **flags,
    }
    if not (flags["can_manage"] or flags["can_convene"]) and not (
        minutes and minutes.state == "sent"
    ):
        raise DjangoPermissionDenied("纪要印发后才能查看")
    return _render(request, "meetings/minutes.html", context, extra)


def public_minutes(request: HttpRequest, pk: int) -> HttpResponse:
    """Minutes marked public, once sent; everything else stays invisible to the public."""
    minutes = get_object_or_404(
        Minutes.objects.select_related("meeting__body"), meeting_id=pk, is_public=True, state="sent"
    )
    return render(request, "meetings/public_minutes.html", {"minutes": minutes})


# ---------------------------------------------------------------- decisions


@login_required
def decisions_board(request: HttpRequest) -> HttpResponse:
    scope = scope_for(request.user)
    qs = selectors.visible_decisions(scope)
    state = request.GET.get("state", "")
    if state == "open":
        qs = qs.exclude(state=DecisionState.DONE)
    elif state in DecisionState.values:
        qs = qs.filter(state=state)
    body_id = request.GET.get("body", "")
    if body_id.isdigit():
        qs = qs.filter(meeting__body_id=int(body_id))
    today = timezone.localdate()
    rows = list(qs.order_by("due_date", "pk")[:300])
    for d in rows:
        d.days_left = (d.due_date - today).days  # type: ignore[attr-defined]
        d.days_late = -d.days_left  # type: ignore[attr-defined]
    return render(
        request,
        "meetings/decisions.html",
        {
            "decisions": rows,
            "state": state,
            "states": DecisionState.choices,
            "bodies": access.visible_bodies(scope),
            "body_id": body_id,
        },
    )


@login_required
def decision_detail(request: HttpRequest, pk: int) -> HttpResponse:
    decision = get_object_or_404(
        Decision.objects.select_related("meeting__body__jurisdiction", "responsible_unit", "topic"),
        pk=pk,
    )
    scope = scope_for(request.user)
    body = decision.meeting.body
    units = {decision.responsible_unit_id, *decision.cooperating_units.values_list("pk", flat=True)}
    if not (access.can_read(scope, body) or units & scope.unit_ids):
        raise DjangoPermissionDenied("无权查看该议定事项")
    user = _actor(request)
    extra: dict[str, Any] = {}
    if request.method == "POST":

        def progress(f: Form) -> str:
            s.decision_progress_report(decision=decision, text=f.text("text"), actor=user)
            return "进展已报告"

        def complete(f: Form) -> str:
            s.decision_complete(decision=decision, outcome=f.text("outcome"), actor=user)
            return "已报告办结"

        def escalate(f: Form) -> str:
            topic = s.decision_escalate(decision=decision, actor=user, reason=f.text("reason"))
            messages.success(request, f"已提请{topic.body.name}研究")
            return f"/meetings/topics/{topic.pk}/"

        response, extra = _post(
            request, {"progress": progress, "complete": complete, "escalate": escalate}
        )
        if response:
            return response
    context = {
        "d": decision,
        "progress": decision.progress.select_related("unit", "author"),
        "escalated_topics": decision.escalated_topics.select_related("body"),
        "can_report": bool(units & scope.unit_ids) or access.can_manage(scope, body),
        "can_complete": scope.in_unit(decision.responsible_unit_id)
        or access.can_manage(scope, body),
        "next_body": s.next_level_body(body),
        "cases": list(decision.cases.all()),
        **_body_flags(scope, body),
    }
    return _render(request, "meetings/decision_detail.html", context, extra)


# ---------------------------------------------------------------- inbox and summary


@login_required
def inbox(request: HttpRequest) -> HttpResponse:
    scope = scope_for(request.user)
    if request.method == "POST" and request.POST.get("action") == "read":
        InboxMessage.objects.filter(unit_id__in=scope.unit_ids, read_at__isnull=True).update(
            read_at=timezone.now()
        )
        return redirect("meetings:inbox")
    year = timezone.localdate().year
    return render(
        request,
        "meetings/inbox.html",
        {
            "inbox": selectors.unit_inbox(scope),
            "attendance": selectors.unit_attendance(scope.unit_ids, year=year),
            "year": year,
        },
    )


@login_required
def summary(request: HttpRequest, pk: int) -> HttpResponse:
    body = get_object_or_404(Body.objects.select_related("jurisdiction"), pk=pk)
    _readable_body(request, body)
    today = timezone.localdate()
    try:
        year = int(request.GET.get("year", today.year))
    except ValueError:
        year = today.year
    half_raw = request.GET.get("half", "")
    half = int(half_raw) if half_raw in ("1", "2") else None
    result = selectors.body_summary(body, year=year, half=half)
    if request.GET.get("format") == "xlsx":
        response = HttpResponse(
            summary_xlsx(result),
            content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        )
        response["Content-Disposition"] = f'attachment; filename="summary-{body.pk}-{year}.xlsx"'
        return response
    return render(
        request,
        "meetings/summary.html",
        {"s": result, "body": body, "year": year, "half": half_raw},
    )
