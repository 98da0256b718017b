"""Pages of rectification campaigns: the list (with the start form for the office), a
campaign's page (returns by street, the user's estates, the import and report forms), the
form editor, one estate's survey form generated from the fields, and the files. Every
page asks access.py; every POST runs the registry's action (actions.py)."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST
from pydantic import ValidationError

from gongzhi.campaigns import access, actions, exports, schemas, selectors
from gongzhi.campaigns.fields import YES, definitions, shown
from gongzhi.campaigns.models import Campaign
from gongzhi.common.actions import errors_by_field, form_input
from gongzhi.common.errors import (
    DomainError,
    FieldError,
    InvalidInput,
    NotFound,
    PermissionDenied,
    pydantic_field_errors,
)


def _campaign(request: HttpRequest, pk: int) -> Campaign:
    try:
        return access.campaign_for(request.user, pk)
    except NotFound as exc:
        raise Http404(exc.message) from exc


def _failure(exc: DomainError, name: str) -> dict[str, Any]:
    errors = exc.errors if isinstance(exc, InvalidInput) else [FieldError("", exc.message)]
    return {
        "errors": errors_by_field(errors),
        "failed": name,
        "summary": exc.message,
        "error_list": errors,
        "status": exc.status,
    }


def _attempt(run: Any) -> tuple[Any, dict[str, Any] | None]:
    try:
        return run(), None
    except PermissionDenied as exc:
        raise DjangoPermissionDenied(exc.message) from exc
    except NotFound as exc:
        raise Http404(exc.message) from exc
    except DomainError as exc:
        return None, _failure(exc, "")


@login_required
def index(request: HttpRequest) -> HttpResponse:
    startable = list(access.startable_jurisdictions(request.user)[:200])
    failure: dict[str, Any] | None = None
    if request.method == "POST":
        if not startable:
            raise Http404(_("未找到，或无权查看"))
        code = request.POST.get("jurisdiction", "")
        place = next((j for j in startable if j.code == code), None)
        action = actions.JURISDICTION_ACTIONS.get("start")
        assert action is not None

        def run() -> Campaign:
            data = form_input(schemas.CampaignIn, request.POST)
            if place is None:
                raise InvalidInput(errors=[FieldError("jurisdiction", _("请选择辖区"))])
            return action.run(place, request.user, data, {})

        campaign, failure = _attempt(run)
        if failure is None:
            messages.success(request, str(action.done))
            return redirect("campaigns:detail", pk=campaign.pk)
    context = {
        "campaigns": list(access.readable_campaigns(request.user)[:200]),
        "startable": startable,
        "posted": request.POST if failure else {},
        "posted_dues": request.POST.getlist("report_dues") if failure else [],
        **(failure or {}),
    }
    status = (failure or {}).get("status", 200)
    return render(request, "campaigns/index.html", context, status=status)


def _detail(
    request: HttpRequest, campaign: Campaign, failure: dict[str, Any] | None = None
) -> HttpResponse:
    user = request.user
    offered = actions.offered(user, campaign)
    mine = []
    if "survey_submit" in offered:
        surveys = selectors.surveys_by_estate(list(access.readable_surveys(user, campaign)))
        estates = access.fillable_estates(user, campaign).order_by("community__path", "code")
        mine = [(e, surveys.get(e.pk)) for e in estates[:500]]
    streets = access.reporting_streets(user, campaign)
    context = {
        "campaign": campaign,
        "fields": definitions(campaign.fields),
        "offered": offered,
        "returns": selectors.visible_returns(user, campaign),
        "reads_all": access.reads_all(user, campaign),
        "mine": mine,
        "streets": [j for j, _u in streets],
        "dues": selectors.report_dues(campaign),
        "reports": list(access.readable_reports(user, campaign)),
        "posted": request.POST if failure else {},
        **(failure or {}),
    }
    status = (failure or {}).get("status", 200)
    return render(request, "campaigns/detail.html", context, status=status)


@login_required
def detail(request: HttpRequest, pk: int) -> HttpResponse:
    return _detail(request, _campaign(request, pk))


@login_required
def form_edit(request: HttpRequest, pk: int) -> HttpResponse:
    campaign = _campaign(request, pk)
    if not access.manages(request.user, campaign):
        raise Http404(_("未找到，或无权查看"))
    failure = None
    if request.method == "POST":
        _done, failure = _attempt(
            lambda: actions.run(
                "form_edit",
                campaign,
                request.user,
                form_input(schemas.FormIn, request.POST),
                {},
            )
        )
        if failure is None:
            messages.success(request, _("已保存摸排表"))
            return redirect("campaigns:detail", pk=campaign.pk)
    import yaml

    text = yaml.safe_dump(campaign.fields, allow_unicode=True, sort_keys=False)
    context = {
        "campaign": campaign,
        "fields_text": request.POST.get("fields", text) if failure else text,
        "classes_text": request.POST.get("classes") if failure else "\n".join(campaign.classes),
        **(failure or {}),
    }
    status = (failure or {}).get("status", 200)
    return render(request, "campaigns/form_edit.html", context, status=status)


def _survey_input(request: HttpRequest, campaign: Campaign, code: str) -> schemas.SurveyIn:
    values = {f.key: request.POST.get(f"v_{f.key}", "") for f in definitions(campaign.fields)}
    try:
        return schemas.SurveyIn.model_validate(
            {
                "estate": code,
                "classification": request.POST.get("classification", ""),
                "expected_version": request.POST.get("expected_version", "0"),
                "values": values,
            }
        )
    except ValidationError as exc:
        raise InvalidInput(errors=pydantic_field_errors(exc.errors())) from exc


@login_required
def survey(request: HttpRequest, pk: int, code: str) -> HttpResponse:
    campaign = _campaign(request, pk)
    estate = access.fillable_estates(request.user, campaign).filter(code=code[:32]).first()
    if estate is None:
        raise Http404(_("未找到，或无权查看"))
    current = campaign.surveys.filter(estate=estate).first()
    failure = None
    if request.method == "POST":
        _done, failure = _attempt(
            lambda: actions.run(
                "survey_submit", campaign, request.user, _survey_input(request, campaign, code), {}
            )
        )
        if failure is None:
            messages.success(request, _("已保存摸排认定表"))
            return redirect("campaigns:detail", pk=campaign.pk)
    stored = current.values if current else {}
    rows = []
    for f in definitions(campaign.fields):
        value = request.POST.get(f"v_{f.key}", "") if failure else shown(f, stored.get(f.key))
        rows.append((f, value, (failure or {}).get("errors", {}).get(f"values.{f.key}", [])))
    context = {
        "campaign": campaign,
        "estate": estate,
        "current": current,
        "rows": rows,
        "yes": YES,
        "classification": request.POST.get("classification")
        if failure
        else (current.classification if current else ""),
        "version": current.version if current else 0,
        **(failure or {}),
    }
    status = (failure or {}).get("status", 200)
    return render(request, "campaigns/survey.html", context, status=status)


@login_required
@require_POST
def survey_import(request: HttpRequest, pk: int) -> HttpResponse:
    campaign = _campaign(request, pk)
    if not access.can_fill(request.user, campaign):
        raise Http404(_("未找到，或无权查看"))
    files = {"file": request.FILES.getlist("file")}
    result, failure = _attempt(
        lambda: actions.run(
            "surveys_import",
            campaign,
            request.user,
            form_input(schemas.ImportIn, request.POST),
            files,
        )
    )
    if failure is not None:
        failure["failed"] = "surveys_import"
        return _detail(request, campaign, failure)
    if result.errors:
        messages.warning(
            request,
            _("已导入 %(n)s 行；跳过有误的第 %(rows)s 行")
            % {"n": result.imported, "rows": _("、").join(str(r) for r in result.skipped_rows)},
        )
    else:
        messages.success(request, _("已导入 %(n)s 行") % {"n": result.imported})
    return redirect("campaigns:detail", pk=campaign.pk)


@login_required
@require_POST
def report_file(request: HttpRequest, pk: int) -> HttpResponse:
    campaign = _campaign(request, pk)
    if not access.reporting_streets(request.user, campaign):
        raise Http404(_("未找到，或无权查看"))
    _done, failure = _attempt(
        lambda: actions.run(
            "report_file", campaign, request.user, form_input(schemas.ReportIn, request.POST), {}
        )
    )
    if failure is not None:
        failure["failed"] = "report_file"
        return _detail(request, campaign, failure)
    messages.success(request, _("已报送整治进展"))
    return redirect("campaigns:detail", pk=campaign.pk)


@login_required
def export(request: HttpRequest, pk: int) -> HttpResponse:
    return exports.export_response(request.user, _campaign(request, pk))


@login_required
def template(request: HttpRequest, pk: int) -> HttpResponse:
    campaign = _campaign(request, pk)
    if not access.can_fill(request.user, campaign):
        raise Http404(_("未找到，或无权查看"))
    return exports.template_response(request.user, campaign)
