"""Pages of the 群众满意单位 social rating (004 四(二)) and of the yearly lists of proposed
awards and accountability cases (004 四(一)(三)): the office's list and period page (live
results, publication, .xlsx), the public survey (made for a phone: a number, a code by
SMS, a rating per unit), the published results (public, with the method), and the list
page where the office generates and the leaders decide. Forms are parsed with the
registry's schemas; who may see and do what is social_access's answer."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _

from gongzhi.appraisal import services as s
from gongzhi.appraisal import social_access as sa
from gongzhi.appraisal.models import Proposal, SatisfactionPeriod, SurveyRating
from gongzhi.appraisal.social_actions import registry
from gongzhi.appraisal.social_exports import XLSX, proposals_xlsx, satisfaction_xlsx
from gongzhi.appraisal.social_results import rated_units, results
from gongzhi.common.actions import form_input
from gongzhi.common.errors import DomainError, FieldError, InvalidInput, NotFound, PermissionDenied
from gongzhi.org.models import Jurisdiction
from gongzhi.org.permissions import scope_for


def _run(fn: Callable[[], Any]) -> tuple[Any, dict[str, Any], int]:
    try:
        return fn(), {}, 200
    except PermissionDenied as exc:
        raise DjangoPermissionDenied(exc.message) from exc
    except NotFound as exc:
        raise Http404(exc.message) from exc
    except InvalidInput as exc:
        return None, {"errors": exc.errors, "summary": exc.message}, 422
    except DomainError as exc:
        return None, {"errors": [FieldError("", exc.message)], "summary": exc.message}, exc.status


def _act(request: HttpRequest, name: str, obj: Any) -> tuple[Any, dict[str, Any], int]:
    action = registry.get(name)
    assert action is not None
    return _run(lambda: action.run(obj, request.user, form_input(action.input, request.POST), {}))


def _xlsx(content: bytes, name: str) -> HttpResponse:
    response = HttpResponse(content, content_type=XLSX)
    response["Content-Disposition"] = f'attachment; filename="{name}.xlsx"'
    return response


def _office_roots(user: Any) -> list[Jurisdiction]:
    scope = scope_for(user)
    if scope.is_admin:
        qs = Jurisdiction.objects.filter(level=Jurisdiction.Level.COUNTY)
    else:
        qs = Jurisdiction.objects.filter(path__in=scope.office_paths)
    return [j for j in qs.order_by("path") if sa.allowed(user, "satisfaction_create", j)]


@login_required
def satisfaction_index(request: HttpRequest) -> HttpResponse:
    roots = _office_roots(request.user)
    extra: dict[str, Any] = {}
    status = 200
    if request.method == "POST":
        place = next((j for j in roots if str(j.pk) == request.POST.get("jurisdiction")), None)
        if place is None:
            raise Http404(_("辖区不存在或无权组织评议"))
        period, extra, status = _act(request, "satisfaction_create", place)
        if period is not None:
            messages.success(request, _("评议已建立"))
            return redirect("appraisal:satisfaction", period.pk)
    periods = sa.readable_periods(request.user)
    if not roots and not periods.exists():
        raise Http404(_("没有可查看的评议"))
    context = {
        "periods": periods,
        "roots": roots,
        "lists": sa.reader_roots(request.user),
        "year": timezone.localdate().year,
        **extra,
    }
    return render(request, "appraisal/satisfaction_index.html", context, status=status)


@login_required
def satisfaction_detail(request: HttpRequest, pk: int) -> HttpResponse:
    try:
        period = sa.period_for(request.user, pk)
    except NotFound as exc:
        raise Http404(exc.message) from exc
    if request.GET.get("format") == "xlsx":
        return _xlsx(satisfaction_xlsx(period), f"satisfaction-{period.pk}")
    extra: dict[str, Any] = {}
    status = 200
    if request.method == "POST" and request.POST.get("action") == "satisfaction_publish":
        done, extra, status = _act(request, "satisfaction_publish", period)
        if done is not None:
            messages.success(request, _("结果已公布"))
            return redirect("appraisal:satisfaction", period.pk)
    context = {
        "period": period,
        "rows": results(period),
        "votes": period.votes.count(),
        "can_publish": sa.allowed(request.user, "satisfaction_publish", period),
        **extra,
    }
    return render(request, "appraisal/satisfaction_detail.html", context, status=status)


def satisfaction_public(request: HttpRequest, pk: int) -> HttpResponse:
    try:
        period = sa.public_period(pk)
    except NotFound as exc:
        raise Http404(exc.message) from exc
    if request.GET.get("format") == "xlsx":
        return _xlsx(satisfaction_xlsx(period), f"satisfaction-{period.pk}")
    context = {"period": period, "rows": results(period), "votes": period.votes.count()}
    return render(request, "appraisal/satisfaction_public.html", context)


def _survey_post(
    request: HttpRequest, period: SatisfactionPeriod
) -> tuple[str, dict[str, Any], int]:
    """The survey's two steps: send a code to the number; vote with it."""
    step = "code" if request.POST.get("step") == "code" else "vote"
    if sa.survey_limited(request, step):
        message = _("请求过于频繁，请稍后再试")
        return "limited", {"errors": [FieldError("", message)], "summary": message}, 429
    phone = request.POST.get("phone", "").strip()[:20]
    if step == "code":
        _sent, extra, status = _run(lambda: s.survey_code_send(period=period, phone=phone))
        return ("sent" if status == 200 else "start"), extra, status
    ratings: dict[int, str] = {}
    for key in request.POST:
        if key.startswith("u") and key[1:].isdigit() and len(key) < 12:
            ratings[int(key[1:])] = request.POST.get(key, "")
    code = request.POST.get("code", "")[:10]
    _vote, extra, status = _run(
        lambda: s.survey_vote(period=period, phone=phone, code=code, ratings=ratings)
    )
    return ("done" if status == 200 else "sent"), extra, status


def survey(request: HttpRequest, pk: int) -> HttpResponse:
    """The public survey: no account, one vote per phone number per period."""
    try:
        period = sa.survey_period(pk)
    except NotFound as exc:
        raise Http404(exc.message) from exc
    closed = sa.survey_refusal(period, timezone.now())
    step, status = "start", 200
    extra: dict[str, Any] = {}
    if closed is None and request.method == "POST":
        step, extra, status = _survey_post(request, period)
    units = sorted(rated_units(period), key=lambda u: (u.kind.sort, u.name))
    context = {
        "period": period,
        "closed": closed.message if closed else "",
        "step": step,
        "phone": request.POST.get("phone", "") if step == "sent" else "",
        "units": [(u, request.POST.get(f"u{u.pk}", "")) for u in units],
        "values": SurveyRating.Value.choices,
        **extra,
    }
    return render(request, "appraisal/survey.html", context, status=status)


@login_required
def proposals(request: HttpRequest, code: str, year: int) -> HttpResponse:
    if not 2000 <= year <= 2100:
        raise Http404(_("年度不正确"))
    try:
        place = sa.jurisdiction_for(request.user, code)
    except NotFound as exc:
        raise Http404(exc.message) from exc
    extra: dict[str, Any] = {}
    status = 200
    if request.method == "POST":
        name = request.POST.get("action", "")
        if name == "proposals_generate":
            _done, extra, status = _act(request, name, place)
        elif name == "proposal_decide":
            raw = request.POST.get("target", "")
            if not raw.isdigit() or len(raw) > 10:
                raise Http404(_("建议不存在"))
            try:
                target = sa.proposal_for(request.user, int(raw))
            except NotFound as exc:
                raise Http404(exc.message) from exc
            _done, extra, status = _act(request, name, target)
        else:
            raise Http404(_("未知操作"))
        if status == 200:
            messages.success(request, str(registry.get(name).done))  # type: ignore[union-attr]
            return redirect(request.get_full_path())
    rows = list(sa.proposals_readable(request.user).filter(jurisdiction=place, year=year))
    if request.GET.get("format") == "xlsx":
        return _xlsx(proposals_xlsx(place, year, rows), f"proposals-{code}-{year}")
    context = {
        "place": place,
        "year": year,
        "awards": [p for p in rows if p.kind == Proposal.Kind.AWARD],
        "accountability": [p for p in rows if p.kind == Proposal.Kind.ACCOUNTABILITY],
        "can_generate": sa.allowed(request.user, "proposals_generate", place),
        "decidable": {p.pk for p in rows if sa.allowed(request.user, "proposal_decide", p)},
        **extra,
    }
    return render(request, "appraisal/proposals.html", context, status=status)
