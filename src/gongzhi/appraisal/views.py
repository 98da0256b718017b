"""Pages: the office's list of companies with their credit, one company's score explained
(with the forms of the actions offered now), and the public ranking of a period with its
.xlsx export. Each posted form is parsed with the registry's schema and run by the
registry; who may see and do what is access.py's answer."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _

from gongzhi.appraisal import access, actions, display, selectors
from gongzhi.appraisal.exports import ranking_xlsx
from gongzhi.appraisal.models import CreditPolicy, CreditStanding
from gongzhi.common.actions import form_input
from gongzhi.common.errors import DomainError, FieldError, InvalidInput, NotFound, PermissionDenied
from gongzhi.org.permissions import scope_for


def _policy_for_office(user: Any, pk: Any) -> CreditPolicy:
    policy = CreditPolicy.objects.select_related("jurisdiction").filter(pk=pk).first()
    if policy is None or not scope_for(user).reads_jurisdiction(policy.jurisdiction):
        raise NotFound(_("考评规则不存在或无权查看"))
    return policy


TARGETS: dict[str, Callable[[Any, Any], Any]] = {
    "record_add": lambda user, pk: access.company_for(user, pk),
    "object": access.record_for,
    "objection_rule": access.objection_for,
    "period_close": _policy_for_office,
}


def _act(request: HttpRequest) -> tuple[HttpResponse | None, dict[str, Any], int]:
    """Run the posted ``action`` on the posted ``target``; a redirect when done, else the
    errors and status for the page."""
    name = request.POST.get("action", "")
    action = actions.registry.get(name)
    if action is None:
        return (
            None,
            {"errors": [FieldError("action", _("未知操作"))], "summary": _("未知操作")},
            400,
        )
    raw = request.POST.get("target", "")
    if not raw.isdigit() or len(raw) > 10:
        raise Http404(_("对象不存在"))
    try:
        target = TARGETS[name](request.user, int(raw))
        data = form_input(action.input, request.POST)
        result = action.run(target, request.user, data, {})
    except PermissionDenied as exc:
        raise DjangoPermissionDenied(exc.message) from exc
    except NotFound as exc:
        raise Http404(exc.message) from exc
    except InvalidInput as exc:
        return None, {"errors": exc.errors, "summary": exc.message, "failed": name}, 422
    except DomainError as exc:
        errors = [FieldError("", exc.message)]
        return None, {"errors": errors, "summary": exc.message, "failed": name}, exc.status
    messages.success(request, f"{action.done or action.label}")
    del result
    return redirect(request.get_full_path()), {}, 200


@login_required
def credit_index(request: HttpRequest) -> HttpResponse:
    extra: dict[str, Any] = {}
    status = 200
    if request.method == "POST":
        response, extra, status = _act(request)
        if response is not None:
            return response
    companies = list(access.rated_only(access.readable_companies(request.user)).order_by("name"))
    if not companies:
        raise Http404(_("没有可查看的企业信用"))
    today = timezone.localdate()
    policies: dict[int, Any] = {}
    rows = []
    for company in companies:
        policy = access.policy_for(company)
        if policy is None:
            continue
        period = display.period_for(policy, None)
        policies.setdefault(policy.pk, (policy, period))
        score = selectors.scores(policy, period, [company])[company.pk]
        rows.append((company, period, score.total, selectors.standing_of(company, today)))
    closable = [
        (policy, period, access.allowed(request.user, "period_close", policy))
        for policy, period in policies.values()
    ]
    context = {"rows": rows, "policies": closable, **extra}
    return render(request, "appraisal/credit_index.html", context, status=status)


@login_required
def credit_company(request: HttpRequest, pk: int) -> HttpResponse:
    try:
        company = access.company_for(request.user, pk)
    except NotFound as exc:
        raise Http404(exc.message) from exc
    extra: dict[str, Any] = {}
    status = 200
    if request.method == "POST":
        response, extra, status = _act(request)
        if response is not None:
            return response
    try:
        credit = display.company_credit(request.user, company, request.GET.get("period"))
    except InvalidInput as exc:
        return render(
            request,
            "appraisal/credit_company.html",
            {"company": company, "errors": exc.errors, "summary": exc.message},
            status=422,
        )
    context = {"c": credit, "company": company, **extra}
    return render(request, "appraisal/credit_company.html", context, status=status)


def ranking(request: HttpRequest, code: str) -> HttpResponse:
    """Public: the ranking of a period, the red and black lists and the standings they
    earned; company names and scores only."""
    policy = get_object_or_404(
        CreditPolicy.objects.select_related("jurisdiction"), jurisdiction__code=code[:20]
    )
    try:
        period = display.period_for(policy, request.GET.get("period"))
    except InvalidInput as exc:
        context = {"policy": policy, "errors": exc.errors, "summary": exc.message}
        return render(request, "appraisal/ranking.html", context, status=422)
    if request.GET.get("format") == "xlsx":
        response = HttpResponse(
            ranking_xlsx(policy, period),
            content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        )
        response["Content-Disposition"] = f'attachment; filename="ranking-{code}-{period.key}.xlsx"'
        return response
    today = timezone.localdate()
    standings = (
        CreditStanding.objects.filter(close__policy=policy, ends_on__gte=today)
        .select_related("company", "close")
        .order_by("kind", "company__name")
    )
    rows = selectors.ranking(policy, period)
    if request.GET.get("format") == "pdf":
        from gongzhi.appraisal.social_exports import ranking_pdf

        response = HttpResponse(
            ranking_pdf(policy, period, rows, standings), content_type="application/pdf"
        )
        response["Content-Disposition"] = f'inline; filename="ranking-{code}-{period.key}.pdf"'
        return response
    context = {
        "policy": policy,
        "period": period,
        "rows": rows,
        "previous": period.previous(),
        "standings": standings,
    }
    return render(request, "appraisal/ranking.html", context)
