"""Pages of the unit assessment: a jurisdiction's plan for a year (checklist form and
.xlsx import, the manual-score form with evidence, every unit's scores, the submit /
return / approve buttons the reader is offered), its exports (``?format=xlsx``, ``pdf``,
``items`` for the checklist file), and a manual score's evidence file."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import redirect, render
from django.urls import path
from django.utils import timezone
from django.utils.translation import gettext as _

from gongzhi.appraisal import assessment as a
from gongzhi.appraisal import assessment_access as aa
from gongzhi.appraisal.assessment_actions import registry
from gongzhi.appraisal.assessment_files import export_response, items_xlsx
from gongzhi.appraisal.models import AssessmentItem, AssessmentPlan, ManualScore
from gongzhi.appraisal.review_views import _run
from gongzhi.appraisal.services import assessment as s
from gongzhi.common.actions import form_input
from gongzhi.common.errors import FieldError, NotFound

MAX_ROWS = 15


def _items_from_form(request: HttpRequest) -> list[s.ItemRow]:
    rows = []
    for n in range(1, MAX_ROWS + 1):
        get = lambda key, n=n: request.POST.get(f"{key}_{n}", "").strip()  # noqa: E731
        if get("label") or get("weight"):
            rows.append(
                s.ItemRow(
                    get("label"),
                    get("weight"),
                    get("measure"),
                    get("code"),
                    get("per") or 1,
                    get("source"),
                    row=n,
                )
            )
    return rows


def _post(
    request: HttpRequest, jurisdiction: Any, year: int, plan: AssessmentPlan | None
) -> tuple[Any, dict[str, Any], int, str]:
    name = request.POST.get("action", "")
    if name == "create":
        result, extra, status = _run(
            request,
            lambda: s.assessment_plan_create(
                jurisdiction=jurisdiction, year=year, actor=request.user
            ),
        )
        return result, extra, status, _("考核已建立")
    action = registry.get(name)
    if action is None or plan is None:
        return None, {"errors": [FieldError("action", _("未知操作"))]}, 400, ""
    if name == "items_set":
        rows = _items_from_form(request)
        result, extra, status = _run(
            request, lambda: s.assessment_items_set(plan=plan, rows=rows, actor=request.user)
        )
        return result, extra, status, str(action.done)
    files = {key: request.FILES.getlist(key) for key in action.files}

    def go() -> Any:
        return action.run(plan, request.user, form_input(action.input, request.POST), files)

    result, extra, status = _run(request, go)
    return result, extra, status, str(action.done or action.label)


@login_required
def assessment(request: HttpRequest, code: str, year: int) -> HttpResponseBase:
    """The unit assessment of a jurisdiction and year."""
    if not 2000 <= year <= 2100:
        raise Http404(_("年度不正确"))
    try:
        jurisdiction, plan = aa.plan_for(request.user, code, year)
    except NotFound as exc:
        raise Http404(exc.message) from exc
    kind = request.GET.get("format")
    if kind in ("xlsx", "pdf"):
        return export_response(jurisdiction, year, plan, kind)
    items = a.plan_items(plan, jurisdiction)
    if kind == "items":
        response = HttpResponse(
            items_xlsx(items),
            content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        )
        response["Content-Disposition"] = f'attachment; filename="checklist-{code}-{year}.xlsx"'
        return response
    extra: dict[str, Any] = {}
    status = 200
    if request.method == "POST":
        _result, extra, status, done = _post(request, jurisdiction, year, plan)
        if status == 200:
            messages.success(request, done)
            return redirect("appraisal:assessment", code, year)
        plan = a.plan_of(jurisdiction, year)
        items = a.plan_items(plan, jurisdiction)
    offered = aa.offered(request.user, jurisdiction, plan)
    manual_items = [i for i in items if i.measure == AssessmentItem.Measure.MANUAL]
    rows = a.table(plan, jurisdiction, year)
    scores = (
        ManualScore.objects.filter(item__plan=plan).select_related("item", "unit", "scored_by")
        if plan is not None
        else ManualScore.objects.none()
    )
    blank = range(len(items) + 1, MAX_ROWS + 1) if "items_set" in offered else range(0)
    context = {
        "jurisdiction": jurisdiction,
        "year": year,
        "plan": plan,
        "items": items,
        "blank_rows": blank,
        "rows": [(r, [r.scores.get(i.code) for i in items]) for r in rows],
        "manual_items": manual_items,
        "manual_scores": scores,
        "units": [r.unit for r in rows],
        "measures": AssessmentItem.Measure.choices,
        "offered": offered,
        **extra,
    }
    return render(request, "appraisal/assessment.html", context, status=status)


@login_required
def assessment_index(request: HttpRequest) -> HttpResponse:
    """The plans the account may read, and this year's page of each home jurisdiction."""
    homes = aa.home_jurisdictions(request.user)
    plans = aa.readable_plans(request.user).order_by("-year", "jurisdiction__code")
    if not homes and not plans.exists():
        raise Http404(_("没有可查看的考核"))
    year = timezone.localdate().year
    context = {"homes": homes, "plans": plans, "year": year}
    return render(request, "appraisal/assessment_index.html", context)


@login_required
def evidence(request: HttpRequest, code: str, year: int, pk: int) -> HttpResponseBase:
    """A manual score's evidence, streamed after checking the reader may see the plan."""
    try:
        score = aa.evidence_for(request.user, pk)
    except NotFound as exc:
        raise Http404(exc.message) from exc
    response = FileResponse(score.evidence.open("rb"), content_type=score.evidence_type)
    response["Content-Disposition"] = f'inline; filename="evidence-{score.pk}"'
    response["X-Content-Type-Options"] = "nosniff"
    return response


urlpatterns = [
    path("", assessment_index, name="assessments"),
    path("<str:code>/<int:year>/", assessment, name="assessment"),
    path("<str:code>/<int:year>/evidence/<int:pk>/", evidence, name="assessment_evidence"),
]
