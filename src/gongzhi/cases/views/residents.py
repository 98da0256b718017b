"""Residents' pages: the report form (logged in or anonymous), my cases, and following a
case by its number and the secret given at intake (rate-limited; a wrong number and a
wrong secret get the same answer)."""

from __future__ import annotations

import uuid
from typing import Any, cast

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _

from gongzhi.cases import access, actions, selectors, workflow
from gongzhi.cases import services as s
from gongzhi.cases.display import state_label
from gongzhi.cases.models import Case, Channel, Notification, Rating
from gongzhi.cases.schemas import TrackIn, WebReportIn
from gongzhi.cases.views.case_page import matter_choices
from gongzhi.catalog.answer import classify_message
from gongzhi.common.actions import errors_by_field, form_input
from gongzhi.common.errors import FieldError, InvalidInput
from gongzhi.common.ratelimit import client_address, rate_limit_hit
from gongzhi.org.models import Estate, User

REPORT_FIELDS = tuple(WebReportIn.model_fields)
# Fewer characters say nothing the classifier could use.
SUGGEST_MIN_CHARS = 4


@login_required
def mine(request: HttpRequest) -> HttpResponse:
    user = cast(User, request.user)  # @login_required
    cases = list(
        Case.objects.filter(reporter_user=user)
        .select_related(*selectors.LIST_RELATED)
        .order_by("-created_at", "-id")[:200]
    )
    rows = [
        {"case": c, "allowed": actions.available(workflow.Ctx(c, request.user), among=("rate",))}
        for c in cases
    ]
    notices = list(
        Notification.objects.filter(user=user, read_at__isnull=True)
        .select_related("case")
        .order_by("-created_at", "-id")[:20]
    )
    return render(
        request, "cases/mine.html", {"rows": rows, "ratings": Rating.choices, "notices": notices}
    )


def _estates() -> list[Estate]:
    return list(Estate.objects.select_related("community").order_by("code"))


def _anonymous_limit() -> int:
    return int(getattr(settings, "GONGZHI_ANON_REPORTS_PER_HOUR", 10))


def report(request: HttpRequest) -> HttpResponse:
    """The resident's report form (logged in or anonymous, channel web)."""
    user = request.user if request.user.is_authenticated else None
    anonymous = user is None
    values: dict[str, Any] = {name: "" for name in REPORT_FIELDS}
    if user is not None:
        values["reporter_name"] = access.display_name(user)  # type: ignore[arg-type]
    errors: dict[str, list[str]] = {}
    status = 200
    if request.method == "POST":
        if anonymous and rate_limit_hit(
            scope="anon-report",
            who=client_address(request),
            limit=_anonymous_limit(),
            window_seconds=3600,
        ):
            return render(
                request, "cases/report_limited.html", {"limit": _anonymous_limit()}, status=429
            )
        values = {name: request.POST.get(name, "").strip() for name in REPORT_FIELDS}
        try:
            data = form_input(WebReportIn, request.POST)
            problems: list[FieldError] = []
            if not data.estate:
                problems.append(FieldError("estate", _("请选择小区")))
            if anonymous and not data.reporter_phone:
                problems.append(
                    FieldError("reporter_phone", _("未登录报事须留联系电话，用于联系您"))
                )
            if problems:
                raise InvalidInput(errors=problems)
            case = s.case_register(
                channel=Channel.WEB,
                estate=data.estate,
                title=data.title,
                description=data.description,
                matter_code=data.matter_code,
                reporter_name=data.reporter_name,
                reporter_phone=data.reporter_phone,
                building=data.building,
                unit_no=data.unit_no,
                room=data.room,
                location=data.location,
                idempotency_key=f"web:{data.form_key}" if data.form_key else None,
                uploads=request.FILES.getlist("files"),
                actor=user,
                anonymous=anonymous,
            )
        except InvalidInput as exc:
            errors = errors_by_field(exc.errors)
            if "attachments" in errors:
                errors.setdefault("files", []).extend(errors.pop("attachments"))
            status = exc.status
        else:
            if anonymous:
                return render(
                    request,
                    "cases/report_done.html",
                    {
                        "case": case,
                        "track_key": getattr(case, "track_key", None),
                        "follow_url": request.build_absolute_uri(
                            reverse("cases:follow", args=[access.follow_token(case)])
                        ),
                    },
                )
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
            "matters": matter_choices(estate) if estate else [],
            "anonymous": anonymous,
            "max_files": s.MAX_ATTACHMENTS,
        },
        status=status,
    )


def report_matters(request: HttpRequest) -> HttpResponse:
    """The matter options of an estate (htmx, for the report form)."""
    estate = (
        Estate.objects.select_related("community")
        .filter(code=request.GET.get("estate", "")[:32])
        .first()
    )
    return render(
        request,
        "cases/_matter_options.html",
        {
            "matters": matter_choices(estate) if estate else [],
            "selected": request.GET.get("selected", "")[:40],
        },
    )


def _suggest_limit() -> int:
    return int(getattr(settings, "GONGZHI_ANON_SUGGESTIONS_PER_MINUTE", 30))


def report_suggest(request: HttpRequest) -> HttpResponse:
    """What the resident's words look like (htmx, as they type in the report form): the
    matter in plain words and who handles it, up to two alternatives to choose, or that
    the office will read it. The same answer as ``POST /api/catalog/classify``.
    Anonymous residents are limited per client address."""
    context: dict[str, Any] = {"answer": None, "estate": None, "limited": False}
    if not request.user.is_authenticated and rate_limit_hit(
        scope="anon-suggest",
        who=client_address(request),
        limit=_suggest_limit(),
        window_seconds=60,
    ):
        context["limited"] = True
        return render(request, "cases/_report_suggest.html", context)
    estate = (
        Estate.objects.select_related("community", "property_company", "owners_committee")
        .filter(code=request.GET.get("estate", "")[:32])
        .first()
    )
    title = request.GET.get("title", "")[:120]
    body = request.GET.get("description", "")[:5000]
    if estate is not None and len((title + body).strip()) >= SUGGEST_MIN_CHARS:
        context["estate"] = estate
        context["answer"] = classify_message(estate=estate, title=title, body=body, limit=3)
    return render(request, "cases/_report_suggest.html", context)


def track(request: HttpRequest) -> HttpResponse:
    """Follow a case by its number and the secret given at intake (issue 8 defect 3):
    a phone number no longer opens a case; tries are limited per client and per case;
    a wrong number and a wrong secret get the same answer. Masked data only."""
    params = request.POST if request.method == "POST" else request.GET
    number = params.get("number", "").strip()[:40]
    context: dict[str, Any] = {"number": number, "case": None, "errors": {}}
    status = 200
    if request.method != "POST":
        return render(request, "cases/track.html", context)
    try:
        data = form_input(TrackIn, request.POST)
        errors = []
        if not data.number:
            errors.append(FieldError("number", _("请填写案件编号")))
        if not data.key:
            errors.append(FieldError("key", _("请填写登记时告知您的查询码")))
        if errors:
            raise InvalidInput(errors=errors)
    except InvalidInput as exc:
        context["errors"] = errors_by_field(exc.errors)
        return render(request, "cases/track.html", context, status=422)
    limited = rate_limit_hit(
        scope="track-client",
        who=client_address(request),
        limit=settings.GONGZHI_TRACK_PER_CLIENT_HOUR,
        window_seconds=3600,
    ) or rate_limit_hit(
        scope="track-case",
        who=data.number,
        limit=settings.GONGZHI_TRACK_PER_CASE_HOUR,
        window_seconds=3600,
    )
    if limited:
        context["errors"] = {"__all__": [_("查询过于频繁，请一小时后再试")]}
        return render(request, "cases/track.html", context, status=429)
    case = (
        Case.objects.select_related(*selectors.LIST_RELATED)
        .filter(number=data.number, track_key_hash=s.track_key_hash(data.key))
        .first()
    )
    if case is None:
        context["errors"] = {"__all__": [_("编号或查询码不正确，请核对后重试")]}
        return render(request, "cases/track.html", context, status=404)
    text = access.case_text(case, False)
    events = case.events.exclude(to_state="").order_by("id")
    context.update(
        case=case,
        text=text,
        public_summary=access.public_summary(case),
        steps=[
            {
                "label": e.get_action_display(),
                "to_label": state_label(e.to_state),
                "at": e.created_at,
            }
            for e in events
            if e.from_state != e.to_state
        ],
    )
    return render(request, "cases/track.html", context, status=status)
