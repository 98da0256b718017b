"""Pages of the case work flow: the office's dispatch desk, a unit's inbox with its
clocks, the case page with its timeline and the actions this user may take now, and the
resident's pages (report form, my cases, tracking by number and phone, the estate's
public list). Every write goes through services.py; the pages only gather input and show
the answer (field errors next to fields, the conflict message on a stale page)."""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Callable
from io import BytesIO
from typing import Any, cast

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.db.models import Q
from django.http import (
    FileResponse,
    Http404,
    HttpRequest,
    HttpResponse,
    HttpResponseBase,
    HttpResponseRedirect,
)
from django.shortcuts import redirect, render
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from gongzhi.cases import access, selectors, services
from gongzhi.cases.models import (
    Attachment,
    Case,
    CaseEvent,
    CaseTask,
    Channel,
    EnforcementStep,
    Notification,
    Rating,
    RatingAppeal,
    State,
)
from gongzhi.cases.workflow import MOVES, moves_from
from gongzhi.catalog.classify import get_classifier
from gongzhi.catalog.routing import route
from gongzhi.catalog.selectors import effective_catalog
from gongzhi.common.errors import Conflict, DomainError, FieldError, InvalidInput
from gongzhi.common.http import HtmxHttpRequest
from gongzhi.common.ratelimit import client_address, rate_limit_hit
from gongzhi.org.models import Estate, Unit, User
from gongzhi.org.permissions import Scope, scope_for
from gongzhi.org.selectors import estate_units_nearby

CASE_RELATED = (
    "estate__community__parent",
    "matter",
    "lead_unit__kind",
    "lead_unit__jurisdiction",
    "level__parent",
    "jurisdiction",
    "transferred_from",
    "reporting_unit",
    "merged_into",
)
STREET_KINDS = ("street_office", "town_government")
# Moves a page never offers: a conference's decisions come from the meetings app, and
# "review" follows from a dissatisfied rating.
HIDDEN_MOVES = {"decide_close", "decide_return", "review"}
CONFLICT_MESSAGE = gettext_lazy(
    "该案件刚被他人处理，您看到的页面已过时。下面是最新情况，请核对后重新操作。"
)
ACTION_LABELS = {
    "register": gettext_lazy("登记"),
    "discover": gettext_lazy("发现"),
    "task_assist": gettext_lazy("通知协办"),
    "task_whistle": gettext_lazy("街道吹哨"),
    "task_police": gettext_lazy("通知公安"),
    "task_checkin": gettext_lazy("报到"),
    "task_done": gettext_lazy("完成协办任务"),
    "step_photo": gettext_lazy("拍照取证"),
    "step_stop": gettext_lazy("现场制止"),
    "report_opinion": gettext_lazy("呈报表签署意见"),
    "attach": gettext_lazy("上传附件"),
    "callback": gettext_lazy("回访"),
    "appeal": gettext_lazy("评价申诉"),
    "appeal_upheld": gettext_lazy("申诉成立"),
    "appeal_rejected": gettext_lazy("申诉驳回"),
    "rated": gettext_lazy("评价"),
    "merged_in": gettext_lazy("并入重复件"),
    "warn": gettext_lazy("临期预警"),
    "account_delay": gettext_lazy("记拖延不办"),
    "account_buck_passing": gettext_lazy("记推诿扯皮"),
    "account_absent": gettext_lazy("记未按时报到"),
    "supervise": gettext_lazy("超时督办"),
    "step_discover": gettext_lazy("发现"),
    "step_report": gettext_lazy("呈报"),
    "step_handle": gettext_lazy("处理"),
    "step_close": gettext_lazy("结案"),
}


# --- small helpers --------------------------------------------------------------------------


def _now() -> dt.datetime:
    return timezone.now()


def _case(request: HttpRequest, number: str) -> Case:
    case = Case.objects.select_related(*CASE_RELATED).filter(number=number).first()
    if case is None or not access.can_read(request.user, case):
        raise Http404(_("案件不存在或无权查看"))
    return case


def _errors_by_field(exc: InvalidInput) -> dict[str, list[str]]:
    found: dict[str, list[str]] = {}
    for e in exc.errors:
        found.setdefault(e.field or "__all__", []).append(e.message)
    return found


def _safe_next(request: HttpRequest, fallback: str) -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    if target and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return fallback


def _uploads(request: HttpRequest, name: str) -> list[services.Upload]:
    return [
        services.Upload(name=f.name or "file", content=f.read())
        for f in request.FILES.getlist(name)
    ]


def _action_label(event: CaseEvent) -> str:
    move = MOVES.get(event.action)
    if move is not None:
        return str(move.label)
    return str(ACTION_LABELS.get(event.action, event.action))


def _state_label(value: str) -> str:
    return str(State(value).label) if value in State.values else value


def clock(case: Case, now: dt.datetime) -> dict[str, Any] | None:
    """The running limit of a case for the countdown: acceptance while it waits to be
    signed for, resolution after that; none while suspended or done."""
    due: dt.datetime | None
    if case.state == State.DISPATCHED and case.accept_due_at:
        due, label = case.accept_due_at, _("签收")
    elif case.state in (State.DISPATCHED, State.ACCEPTED, State.IN_PROGRESS):
        due, label = case.resolve_due_at, _("办结")
    else:
        return None
    if due is None:
        return None
    left = due - now
    overdue = left.total_seconds() < 0
    seconds = abs(int(left.total_seconds()))
    days, rest = divmod(seconds, 86400)
    hours, rest = divmod(rest, 3600)
    minutes = rest // 60
    if days:
        span = _("%(d)d 天 %(h)d 小时") % {"d": days, "h": hours}
    elif hours:
        span = _("%(h)d 小时 %(m)d 分") % {"h": hours, "m": minutes}
    else:
        span = _("%(m)d 分钟") % {"m": minutes}
    text = (
        _("%(what)s已超时 %(span)s") % {"what": label, "span": span}
        if overdue
        else _("距%(what)s时限 %(span)s") % {"what": label, "span": span}
    )
    return {
        "due": due,
        "overdue": overdue or bool(case.breached_at),
        "soon": not overdue and left < dt.timedelta(hours=4),
        "text": text,
        "what": label,
    }


def report_form_pdf_url(number: str) -> str | None:
    try:
        return reverse("cases:report_form_pdf", args=[number])
    except NoReverseMatch:
        return None


def _street_units(scope: Scope, case: Case) -> list[Unit]:
    """Street offices the user works in whose area holds the case's estate."""
    if not scope.unit_ids:
        return []
    path = case.estate.community.path
    units = Unit.objects.filter(pk__in=scope.unit_ids, kind_id__in=STREET_KINDS).select_related(
        "jurisdiction"
    )
    return [
        u
        for u in units
        if path.startswith(u.jurisdiction.path) and scope.in_unit(u, *access.HANDLING_ROLES)
    ]


def _matter_choices(case_or_estate: Case | Estate) -> list[Any]:
    estate = case_or_estate.estate if isinstance(case_or_estate, Case) else case_or_estate
    entries = effective_catalog(estate.community)
    return sorted((e.matter for e in entries.values()), key=lambda m: m.code)


def _unit_choices(*, estate: Estate | None = None, scope: Any = None) -> list[Unit]:
    """Units to pick from: those serving the case's estate (its own bodies, then every
    level above it) on a case page; the units of the office's area on the desk. Never
    another city's units."""
    if estate is not None:
        qs = estate_units_nearby(estate)
    elif scope is not None:
        qs = scope.visible_units().filter(is_active=True)
    else:
        qs = Unit.objects.none()
    return list(
        qs.select_related("kind", "jurisdiction").order_by(
            "jurisdiction__depth", "kind__sort", "name"
        )
    )


# --- the case page --------------------------------------------------------------------------


def case_context(request: HttpRequest, case: Case, **extra: Any) -> dict[str, Any]:
    user = request.user
    scope = scope_for(user)
    now = _now()
    mine = access.sides(user, case)
    show = bool(mine)
    allowed = [
        m.name for m in moves_from(case.state) if set(m.sides) & mine and m.name not in HIDDEN_MOVES
    ]
    events = list(
        case.events.select_related("actor", "unit", "actor_unit").order_by("created_at", "id")
    )
    timeline = [
        {
            "event": e,
            "label": _action_label(e),
            "from_label": _state_label(e.from_state) if e.from_state else "",
            "to_label": _state_label(e.to_state) if e.to_state else "",
            "changed": bool(e.to_state) and e.from_state != e.to_state,
            "actor": str(e.actor) if e.actor else ("" if e.actor_unit else _("系统")),
        }
        for e in events
    ]
    tasks = list(case.tasks.select_related("unit", "requested_by"))
    attachments = list(case.attachments.all())
    last_return = next((e for e in reversed(events) if e.action == "return"), None)
    open_states = case.is_open and case.state not in (State.HANDLED, State.FEEDBACK, State.REVIEW)
    extras: set[str] = set()
    if mine & {"office", "lead", "assist", "reporter"} and case.is_open:
        extras.add("attach")
    if mine & {"lead", "office"} and open_states and case.state != State.REGISTERED:
        extras.add("joint")
    if mine & {"lead", "assist", "office"} and open_states and case.lead_unit_id:
        extras.add("police")
    streets = _street_units(scope, case) if case.is_open and open_states else []
    if streets:
        extras.add("whistle")
    if "office" in mine:
        extras.add("callback")
        if case.transferred_from_id and case.state in MOVES["transfer"].sources:
            extras.add("rule_transfer")
    appeals = list(case.appeals.select_related("unit", "decided_by"))
    pending_appeal = next((a for a in appeals if a.state == RatingAppeal.AppealState.PENDING), None)
    if "lead" in mine and case.rating and pending_appeal is None:
        extras.add("appeal")
    if "office" in mine and pending_appeal is not None:
        extras.add("appeal_decide")
    enforcement = None
    if case.is_enforcement:
        steps = list(EnforcementStep)
        current = case.enforcement_step or EnforcementStep.DISCOVER
        index = [s.value for s in steps].index(current)
        enforcement = {
            "steps": [
                {"value": s.value, "label": s.label, "done": i < index, "current": i == index}
                for i, s in enumerate(steps)
            ],
            "current": current,
        }
        if "lead" in mine and case.is_open:
            if current in (EnforcementStep.DISCOVER, EnforcementStep.PHOTO):
                extras.add("photo")
            if current == EnforcementStep.PHOTO:
                extras.add("stop")
            if current == EnforcementStep.STOP:
                extras.add("report")
    report_form = case.report_form if hasattr(case, "report_form") else None
    if report_form is not None and mine & {"lead", "office"}:
        extras.add("opinion")
    my_tasks = [t for t in tasks if t.is_open and scope.in_unit(t.unit_id, *access.HANDLING_ROLES)]
    need_units = bool(
        {"dispatch", "transfer"} & set(allowed) or extras & {"joint", "whistle", "report"}
    )
    need_matters = bool({"dispatch", "return"} & set(allowed))
    suggestions = []
    if "dispatch" in allowed:
        suggestions = get_classifier().suggest(
            f"{case.title} {case.description}", case.estate.community
        )
    context = {
        "case": case,
        "sides": mine,
        "show_reporter": show,
        "reporter_name": case.reporter_name if show else access.mask_name(case.reporter_name),
        "reporter_phone": case.reporter_phone if show else access.mask_phone(case.reporter_phone),
        "room": case.room if show else ("***" if case.room else ""),
        "allowed": allowed,
        "extras": extras,
        "timeline": timeline,
        "tasks": tasks,
        "my_tasks": my_tasks,
        "photos": [a for a in attachments if a.kind == Attachment.Kind.PHOTO],
        "files": [a for a in attachments if a.kind != Attachment.Kind.PHOTO],
        "last_return": last_return,
        "clock": clock(case, now),
        "enforcement": enforcement,
        "report_form": report_form,
        "report_form_pdf_url": report_form_pdf_url(case.number) if report_form else None,
        "appeals": appeals,
        "pending_appeal": pending_appeal,
        "streets": streets,
        "units": _unit_choices(estate=case.estate) if need_units else [],
        "matters": _matter_choices(case) if need_matters else [],
        "suggestions": suggestions,
        "ratings": Rating.choices,
        "errors": {},
        "failed": "",
        "posted": {},
        "alert": "",
        "next": "",
    }
    context.update(extra)
    return context


def _render_case(
    request: HtmxHttpRequest, case: Case, status: int = 200, **extra: Any
) -> HttpResponse:
    template = "cases/_case_panel.html" if request.htmx else "cases/case_detail.html"
    return render(request, template, case_context(request, case, **extra), status=status)


def case_detail(request: HtmxHttpRequest, number: str) -> HttpResponse:
    if not request.user.is_authenticated:
        return redirect(f"{reverse('login')}?next={request.path}")
    case = _case(request, number)
    scope = scope_for(request.user)
    # Opening the case reads its notices to the user's units and to the user.
    Notification.objects.filter(
        Q(unit_id__in=scope.unit_ids) | Q(user_id=scope.user_id), case=case, read_at__isnull=True
    ).update(read_at=_now())
    return _render_case(request, case)


def _version(request: HttpRequest) -> int | None:
    raw = request.POST.get("version", "")
    return int(raw) if raw.isdigit() else None


def _check_version(case: Case, expected: int | None) -> None:
    if expected is not None and expected != case.version:
        raise Conflict(str(CONFLICT_MESSAGE))


def _p(request: HttpRequest, name: str) -> str:
    return request.POST.get(name, "").strip()


def _act_dispatch(request: HttpRequest, case: Case, v: int | None) -> None:
    services.case_dispatch(
        case=case,
        actor=request.user,
        unit=_p(request, "unit") or None,
        matter_code=_p(request, "matter_code"),
        reason=_p(request, "reason"),
        expected_version=v,
    )


def _simple(name: str, reason_kw: str | None = "reason") -> Callable[..., None]:
    func = getattr(services, f"case_{name}")

    def act(request: HttpRequest, case: Case, v: int | None) -> None:
        kwargs: dict[str, Any] = {"expected_version": v}
        if reason_kw:
            kwargs[reason_kw] = _p(request, "reason")
        func(case=case, actor=request.user, **kwargs)

    return act


def _act_return(request: HttpRequest, case: Case, v: int | None) -> None:
    services.case_return(
        case=case,
        actor=request.user,
        reason=_p(request, "reason"),
        claimed_matter_code=_p(request, "claimed_matter_code"),
        expected_version=v,
    )


def _act_transfer(request: HttpRequest, case: Case, v: int | None) -> None:
    to_unit = _p(request, "to_unit")
    if not to_unit:
        raise InvalidInput(errors=[FieldError("to_unit", "请选择接收单位")])
    services.case_transfer(
        case=case, actor=request.user, to_unit=to_unit, reason=_p(request, "reason"),
        expected_version=v,
    )  # fmt: skip


def _act_handle(request: HttpRequest, case: Case, v: int | None) -> None:
    services.case_handle(
        case=case,
        actor=request.user,
        result=_p(request, "result"),
        evidence=_uploads(request, "evidence"),
        expected_version=v,
    )


def _act_rate(request: HttpRequest, case: Case, v: int | None) -> None:
    services.case_rate(
        case=case,
        actor=request.user,
        rating=_p(request, "rating"),
        reason=_p(request, "reason"),
        callback=bool(request.POST.get("callback")),
        expected_version=v,
    )


def _act_merge(request: HttpRequest, case: Case, v: int | None) -> None:
    number = _p(request, "into")
    into = Case.objects.filter(number=number).first() if number else None
    if into is None:
        msg = f"案件 {number} 不存在" if number else "请填写要并入的案件编号"
        raise InvalidInput(errors=[FieldError("into", msg)])
    services.case_merge(
        case=case, into=into, actor=request.user, reason=_p(request, "reason"), expected_version=v
    )


def _act_attach(request: HttpRequest, case: Case, v: int | None) -> None:
    _check_version(case, v)
    services.case_attach(case=case, actor=request.user, uploads=_uploads(request, "files"))


def _act_joint(request: HttpRequest, case: Case, v: int | None) -> None:
    _check_version(case, v)
    services.case_joint_request(
        case=case,
        actor=request.user,
        units=[u for u in request.POST.getlist("units") if u],
        instructions=_p(request, "instructions"),
    )


def _act_whistle(request: HttpRequest, case: Case, v: int | None) -> None:
    _check_version(case, v)
    services.case_whistle(
        case=case,
        actor=request.user,
        street_unit=_p(request, "street_unit"),
        units=[u for u in request.POST.getlist("units") if u],
        instructions=_p(request, "instructions"),
    )


def _act_police(request: HttpRequest, case: Case, v: int | None) -> None:
    _check_version(case, v)
    services.case_call_police(case=case, actor=request.user, reason=_p(request, "reason"))


def _act_photo(request: HttpRequest, case: Case, v: int | None) -> None:
    _check_version(case, v)
    services.case_enforcement_photo(
        case=case, actor=request.user, photos=_uploads(request, "photos")
    )


def _act_stop(request: HttpRequest, case: Case, v: int | None) -> None:
    _check_version(case, v)
    services.case_enforcement_stop(case=case, actor=request.user, action=_p(request, "action"))


def _act_report(request: HttpRequest, case: Case, v: int | None) -> None:
    _check_version(case, v)
    receiving = _p(request, "receiving_unit")
    if not receiving:
        raise InvalidInput(errors=[FieldError("receiving_unit", "请选择接收单位")])
    services.case_enforcement_report(
        case=case,
        actor=request.user,
        receiving_unit=receiving,
        contact=_p(request, "contact"),
        contact_phone=_p(request, "contact_phone"),
        details=_p(request, "details"),
        opinion=_p(request, "opinion"),
        head=_p(request, "head"),
        receiver=_p(request, "receiver"),
        receiver_phone=_p(request, "receiver_phone"),
    )


def _act_opinion(request: HttpRequest, case: Case, v: int | None) -> None:
    _check_version(case, v)
    services.case_report_opinion(
        case=case, actor=request.user, opinion=_p(request, "opinion"), head=_p(request, "head")
    )


def _act_callback(request: HttpRequest, case: Case, v: int | None) -> None:
    services.case_callback(case=case, actor=request.user, note=_p(request, "note"))


def _act_appeal(request: HttpRequest, case: Case, v: int | None) -> None:
    services.case_appeal(case=case, actor=request.user, reason=_p(request, "reason"))


def _act_appeal_decide(request: HttpRequest, case: Case, v: int | None) -> None:
    appeal = case.appeals.filter(state=RatingAppeal.AppealState.PENDING).first()
    if appeal is None:
        raise Conflict("该申诉已被裁定，请刷新页面")
    decision = _p(request, "decision")
    if decision not in ("upheld", "rejected"):
        raise InvalidInput(errors=[FieldError("decision", "请选择申诉成立或驳回")])
    services.case_appeal_decide(
        appeal=appeal, actor=request.user, upheld=decision == "upheld", reason=_p(request, "reason")
    )


ACTIONS: dict[str, Callable[[HttpRequest, Case, int | None], None]] = {
    "dispatch": _act_dispatch,
    "accept": _simple("accept", None),
    "start": _simple("start", "note"),
    "return": _act_return,
    "transfer": _act_transfer,
    "rule_transfer": _simple("rule_transfer"),
    "escalate": _simple("escalate"),
    "overrule": _simple("overrule"),
    "suspend": _simple("suspend"),
    "resume": _simple("resume", None),
    "handle": _act_handle,
    "feedback": _simple("feedback", "note"),
    "send_back": _simple("send_back"),
    "rate": _act_rate,
    "reopen": _simple("reopen"),
    "close": _simple("close"),
    "merge": _act_merge,
    "attach": _act_attach,
    "joint": _act_joint,
    "whistle": _act_whistle,
    "police": _act_police,
    "photo": _act_photo,
    "stop": _act_stop,
    "report": _act_report,
    "opinion": _act_opinion,
    "callback": _act_callback,
    "appeal": _act_appeal,
    "appeal_decide": _act_appeal_decide,
}
DONE_MESSAGES = {
    "dispatch": gettext_lazy("已分派"),
    "accept": gettext_lazy("已签收"),
    "rate": gettext_lazy("感谢您的评价"),
    "attach": gettext_lazy("附件已上传"),
    "photo": gettext_lazy("现场照片已上传"),
    "report": gettext_lazy("已呈报并生成呈报表"),
}


@require_POST
def case_act(request: HtmxHttpRequest, number: str, action: str) -> HttpResponse:
    """One action on a case. Success: back to the page (or the page it came from); a
    stale version: 409 with the current case and the conflict message; bad input: 422
    with the errors next to the fields; a refused rule: its message, 400/403."""
    if not request.user.is_authenticated:
        return redirect(f"{reverse('login')}?next={reverse('cases:detail', args=[number])}")
    func = ACTIONS.get(action)
    if func is None:
        raise Http404(_("未知操作"))
    case = _case(request, number)
    next_url = _safe_next(request, "")
    version = _version(request)
    try:
        # A stale page is a conflict whatever the state now is: the user decided on
        # what he saw, and must see what changed before acting again.
        _check_version(case, version)
        func(request, case, version)
    except Conflict as exc:
        fresh = _case(request, number)
        text = str(CONFLICT_MESSAGE) if "他人" in exc.message else exc.message
        return _render_case(request, fresh, 409, alert=text, alert_kind="conflict")
    except InvalidInput as exc:
        fresh = _case(request, number)
        return _render_case(
            request,
            fresh,
            exc.status,
            errors=_errors_by_field(exc),
            failed=action,
            posted=request.POST,
            alert=exc.summary,
            alert_kind="error",
            next=next_url,
        )
    except DomainError as exc:
        fresh = _case(request, number)
        return _render_case(
            request, fresh, exc.status, alert=exc.message, alert_kind="error", failed=action
        )
    label = MOVES[action].label if action in MOVES else DONE_MESSAGES.get(action, "已保存")
    done = DONE_MESSAGES.get(action) or _("已完成：%(label)s") % {"label": label}
    still = Case.objects.select_related(*CASE_RELATED).get(pk=case.pk)
    if not access.can_read(request.user, still):
        messages.success(request, done)
        target = next_url or reverse("org:home")
        return _hx_redirect(request, target)
    if next_url:
        messages.success(request, done)
        return _hx_redirect(request, next_url)
    if request.htmx:
        return _render_case(request, still, alert=done, alert_kind="ok")
    messages.success(request, done)
    return redirect("cases:detail", number=number)


def _hx_redirect(request: HtmxHttpRequest, url: str) -> HttpResponse:
    if request.htmx:
        response = HttpResponse(status=204)
        response["HX-Redirect"] = url
        return response
    return HttpResponseRedirect(url)


@login_required
def attachment(request: HttpRequest, number: str, pk: int) -> HttpResponseBase:
    """Stream an attachment after checking the reader may see the case; media URLs are
    never exposed. ``?thumb=1`` gives a small JPEG of a photo."""
    case = _case(request, number)
    att = Attachment.objects.filter(pk=pk, case=case).first()
    if att is None:
        raise Http404(_("附件不存在"))
    if request.GET.get("thumb") and att.kind == Attachment.Kind.PHOTO:
        from PIL import Image

        with att.file.open("rb") as fh, Image.open(fh) as img:
            img.thumbnail((320, 320))
            out = BytesIO()
            img.convert("RGB").save(out, "JPEG", quality=80)
        response: HttpResponseBase = HttpResponse(out.getvalue(), content_type="image/jpeg")
    else:
        response = FileResponse(att.file.open("rb"), content_type=att.content_type)
        response["Content-Disposition"] = f'inline; filename="{att.sha256[:16]}"'
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, max-age=3600"
    return response


# --- the dispatch desk ------------------------------------------------------------------------


@login_required
def desk(request: HttpRequest) -> HttpResponse:
    scope = scope_for(request.user)
    if not (scope.is_admin or scope.office_paths):
        raise DjangoPermissionDenied(_("只有联席会议办公室可以使用分派台"))
    cases = list(
        selectors.desk_cases(scope).select_related(
            "estate__community", "estate__property_company", "estate__owners_committee"
        )[:200]
    )
    ids = [c.pk for c in cases]
    returns: dict[int, CaseEvent] = {}
    for e in (
        CaseEvent.objects.filter(case_id__in=ids, action="return")
        .select_related("unit")
        .order_by("created_at", "id")
    ):
        returns[e.case_id] = e
    classifier = get_classifier()
    matters_by_community: dict[int, list[Any]] = {}
    answers: dict[tuple[int, str], Any] = {}
    rows: list[dict[str, Any]] = []
    for case in cases:
        community = case.estate.community
        if community.pk not in matters_by_community:
            matters_by_community[community.pk] = _matter_choices(case)
        suggestions = []
        if case.state in (State.REGISTERED, State.ESCALATED, State.RETURNED):
            suggestions = classifier.suggest(f"{case.title} {case.description}", community, 3)
        answer = None
        if suggestions:
            key = (case.estate_id, suggestions[0].code)
            if key not in answers:
                try:
                    answers[key] = route(estate=case.estate, matter_code=suggestions[0].code)
                except DomainError:
                    answers[key] = None
            answer = answers[key]
        ret = returns.get(case.pk)
        rows.append(
            {
                "case": case,
                "suggestions": suggestions,
                "answer": answer,
                "matters": matters_by_community[community.pk],
                "returned": ret,
                "claimed": (ret.extra or {}).get("claimed_matter", "") if ret else "",
            }
        )
    groups = [
        (_("待分派"), [r for r in rows if r["case"].state == State.REGISTERED]),
        (_("下级上报"), [r for r in rows if r["case"].state == State.ESCALATED]),
        (_("单位退回待裁定"), [r for r in rows if r["case"].state == State.RETURNED]),
        (_("已办结待反馈"), [r for r in rows if r["case"].state == State.HANDLED]),
        (_("不满意待复核"), [r for r in rows if r["case"].state == State.REVIEW]),
    ]
    return render(
        request,
        "cases/desk.html",
        {"groups": groups, "total": len(rows), "units": _unit_choices(scope=scope)},
    )


# --- the unit inbox ---------------------------------------------------------------------------


@login_required
def inbox(request: HttpRequest) -> HttpResponse:
    scope = scope_for(request.user)
    if not scope.unit_ids:
        raise DjangoPermissionDenied(_("您不属于任何成员单位"))
    now = _now()
    cases = list(selectors.inbox_cases(scope)[:300])
    rows: list[dict[str, Any]] = [{"case": c, "clock": clock(c, now)} for c in cases]
    tasks = list(selectors.inbox_tasks(scope)[:200])
    task_rows = [
        {
            "task": t,
            "overdue": bool(t.breached_at)
            or (
                t.state == CaseTask.TaskState.PENDING
                and t.checkin_due_at is not None
                and t.checkin_due_at < now
            ),
        }
        for t in tasks
    ]
    notices = list(
        Notification.objects.filter(unit_id__in=scope.unit_ids, read_at__isnull=True)
        .select_related("case", "unit")
        .order_by("-created_at", "-id")[:50]
    )
    units = Unit.objects.filter(pk__in=scope.unit_ids).order_by("name")
    return render(
        request,
        "cases/inbox.html",
        {
            "rows": rows,
            "overdue_count": sum(1 for r in rows if r["clock"] and r["clock"]["overdue"]),
            "task_rows": task_rows,
            "notices": notices,
            "my_units": units,
        },
    )


@login_required
@require_POST
def notifications_read(request: HttpRequest) -> HttpResponse:
    scope = scope_for(request.user)
    qs = Notification.objects.filter(unit_id__in=scope.unit_ids, read_at__isnull=True)
    raw = request.POST.get("id", "")
    if raw.isdigit():
        qs = qs.filter(pk=int(raw))
    qs.update(read_at=_now())
    return redirect(_safe_next(request, reverse("cases:inbox")))


@login_required
@require_POST
def task_act(request: HtmxHttpRequest, pk: int, action: str) -> HttpResponse:
    scope = scope_for(request.user)
    task = CaseTask.objects.select_related("case", "unit").filter(pk=pk).first()
    if task is None or task.unit_id not in scope.unit_ids:
        raise Http404(_("任务不存在或无权查看"))
    back = _safe_next(request, reverse("cases:detail", args=[task.case.number]))
    try:
        if action == "checkin":
            services.case_task_checkin(task=task, actor=request.user, note=_p(request, "note"))
            done = _("已报到")
        elif action == "done":
            services.case_task_done(task=task, actor=request.user, result=_p(request, "result"))
            done = _("协办任务已完成")
        else:
            raise Http404(_("未知操作"))
    except DomainError as exc:
        case = _case(request, task.case.number)
        errors = _errors_by_field(exc) if isinstance(exc, InvalidInput) else {}
        return _render_case(
            request,
            case,
            exc.status,
            alert="；".join(m for ms in errors.values() for m in ms) if errors else exc.message,
            alert_kind="conflict" if isinstance(exc, Conflict) else "error",
            errors=errors,
            failed=f"task{task.pk}",
            posted=request.POST,
        )
    messages.success(request, done)
    return _hx_redirect(request, back)


# --- residents ---------------------------------------------------------------------------------


@login_required
def mine(request: HttpRequest) -> HttpResponse:
    user = cast(User, request.user)  # @login_required
    cases = list(
        Case.objects.filter(reporter_user=user)
        .select_related(*selectors.LIST_RELATED)
        .order_by("-created_at", "-id")[:200]
    )
    notices = list(
        Notification.objects.filter(user=user, read_at__isnull=True)
        .select_related("case")
        .order_by("-created_at", "-id")[:20]
    )
    return render(
        request,
        "cases/mine.html",
        {"cases": cases, "ratings": Rating.choices, "notices": notices},
    )


REPORT_FIELDS = (
    "estate",
    "building",
    "unit_no",
    "room",
    "location",
    "title",
    "description",
    "matter_code",
    "reporter_name",
    "reporter_phone",
    "form_key",
)


def _estates() -> list[Estate]:
    return list(Estate.objects.select_related("community").order_by("code"))


def report(request: HttpRequest) -> HttpResponse:
    """The resident's report form (logged in or anonymous, channel web)."""
    user = request.user if request.user.is_authenticated else None
    anonymous = user is None
    values = {name: "" for name in REPORT_FIELDS}
    if user is not None:
        values["reporter_name"] = user.get_full_name() or str(getattr(user, "display_name", ""))
    errors: dict[str, list[str]] = {}
    status = 200
    if request.method == "POST":
        if anonymous and rate_limit_hit(
            scope="anon-report",
            who=client_address(request),
            limit=int(getattr(settings, "GONGZHI_ANON_REPORTS_PER_HOUR", 10)),
            window_seconds=3600,
        ):
            return render(
                request,
                "cases/report_limited.html",
                {"limit": getattr(settings, "GONGZHI_ANON_REPORTS_PER_HOUR", 10)},
                status=429,
            )
        values = {name: request.POST.get(name, "").strip() for name in REPORT_FIELDS}
        uploads = _uploads(request, "files")
        problems: list[FieldError] = []
        if not values["estate"]:
            problems.append(FieldError("estate", "请选择小区"))
        if not values["title"]:
            problems.append(FieldError("title", "请填写标题"))
        if not values["description"]:
            problems.append(FieldError("description", "请填写诉求内容"))
        if anonymous and not values["reporter_phone"]:
            problems.append(FieldError("reporter_phone", "未登录报事须留联系电话，用于查询进度"))
        if len(uploads) > services.MAX_ATTACHMENTS:
            problems.append(FieldError("files", f"附件最多 {services.MAX_ATTACHMENTS} 个"))
            uploads = []
        try:
            if problems:
                raise InvalidInput(errors=problems)
            key = values["form_key"]
            case = services.case_register(
                channel=Channel.WEB,
                estate=values["estate"],
                title=values["title"],
                description=values["description"],
                matter_code=values["matter_code"],
                reporter_name=values["reporter_name"],
                reporter_phone=values["reporter_phone"],
                reporter_user=user,
                building=values["building"],
                unit_no=values["unit_no"],
                room=values["room"],
                location=values["location"],
                idempotency_key=f"web:{key}" if key else None,
                uploads=uploads,
                actor=user,
            )
        except InvalidInput as exc:
            errors = _errors_by_field(exc)
            if "attachments" in errors:
                errors.setdefault("files", []).extend(errors.pop("attachments"))
            status = exc.status
        else:
            if anonymous:
                return render(request, "cases/report_done.html", {"case": case})
            messages.success(request, _("已受理，案件编号 %(n)s") % {"n": case.number})
            return redirect("cases:detail", number=case.number)
    if not values.get("form_key"):
        values["form_key"] = uuid.uuid4().hex
    estate = next((e for e in _estates() if e.code == values["estate"]), None)
    return render(
        request,
        "cases/report.html",
        {
            "v": values,
            "errors": errors,
            "estates": _estates(),
            "matters": _matter_choices(estate) if estate else [],
            "anonymous": anonymous,
            "max_files": services.MAX_ATTACHMENTS,
        },
        status=status,
    )


def report_matters(request: HttpRequest) -> HttpResponse:
    """The matter options of an estate (htmx, for the report form)."""
    estate = (
        Estate.objects.select_related("community")
        .filter(code=request.GET.get("estate", ""))
        .first()
    )
    return render(
        request,
        "cases/_matter_options.html",
        {"matters": _matter_choices(estate) if estate else [], "selected": ""},
    )


def _normal_phone(raw: str) -> str:
    return raw.strip().replace(" ", "").replace("-", "")


def track(request: HttpRequest) -> HttpResponse:
    """Follow a case by its number and the phone given when reporting; masked data
    only."""
    # Posted, so that the phone never lands in a URL (logs, history, the language link).
    params = request.POST if request.method == "POST" else request.GET
    number = params.get("number", "").strip()
    phone = _normal_phone(request.POST.get("phone", ""))
    context: dict[str, Any] = {"number": number, "case": None, "errors": {}}
    status = 200
    if request.method == "POST":
        errors: dict[str, list[str]] = {}
        if not number:
            errors["number"] = [_("请填写案件编号")]
        if not phone:
            errors["phone"] = [_("请填写报事时留下的电话")]
        case = None
        if not errors:
            case = (
                Case.objects.select_related(*selectors.LIST_RELATED)
                .filter(number=number, reporter_phone=phone)
                .exclude(reporter_phone="")
                .first()
            )
            if case is None:
                errors["__all__"] = [_("没有找到该编号和电话对应的诉求，请核对后重试")]
                status = 404
        else:
            status = 422
        context["errors"] = errors
        if case is not None:
            events = case.events.exclude(to_state="").order_by("created_at", "id")
            context.update(
                case=case,
                reporter_name=access.mask_name(case.reporter_name),
                reporter_phone=access.mask_phone(case.reporter_phone),
                steps=[
                    {
                        "label": _action_label(e),
                        "to_label": _state_label(e.to_state),
                        "at": e.created_at,
                    }
                    for e in events
                    if e.from_state != e.to_state
                ],
            )
    return render(request, "cases/track.html", context, status=status)
