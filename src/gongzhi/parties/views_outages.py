"""Pages of unplanned outages (mass incidents, 004 三(三)): the list of outages a user
may see with the form to open one, an outage's page (linked and suggested cases, the
companies' tasks, progress, closing), and a case's side (link a case to a current outage
of its estate). Forms are parsed with the actions' schemas and run by the registry."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from gongzhi.common.errors import NotFound
from gongzhi.org import kinds
from gongzhi.org.models import Estate, Unit
from gongzhi.parties import access, actions, selectors
from gongzhi.parties.models import Outage, OutageTask, UtilityWork
from gongzhi.parties.outage_tasks import label
from gongzhi.parties.views import _run


def _outage(request: HttpRequest, pk: int) -> Outage:
    try:
        return access.outage_for(request.user, pk)
    except NotFound as exc:
        raise Http404(exc.message) from exc


def _utilities(user: Any) -> list[Unit]:
    """The utilities ``user`` may open an outage for: their own, or any of the area the
    user manages as office staff."""
    scope = access.scope_for(user)
    found = []
    for unit in Unit.objects.filter(is_active=True).select_related("jurisdiction").order_by("name"):
        if not kinds.kind_has(unit.kind_id, kinds.UTILITY_SERVICE):
            continue
        if scope.in_unit(unit.pk) or scope.manages_jurisdiction(unit.jurisdiction):
            found.append(unit)
    return found[:50]


@login_required
def outages(request: HttpRequest) -> HttpResponse:
    """Outages the user may see; the form to open one for the user's utilities."""
    failure: dict[str, Any] = {}
    utilities = _utilities(request.user)
    if request.method == "POST":
        utility = get_object_or_404(
            Unit.objects.select_related("jurisdiction"), pk=request.POST.get("utility_id") or 0
        )
        if utility not in utilities:
            raise Http404(_("未找到，或无权查看"))
        action = actions.UTILITY_ACTIONS.get("outage_open")
        assert action is not None
        result, failure = _run(action, utility, request)
        if not failure:
            messages.success(request, str(action.done))
            return redirect("parties:outage", pk=result.pk)
    rows = access.readable_outages(request.user).order_by("state", "-started_at")[:100]
    context = {
        "outages": rows,
        "utilities": utilities,
        "estates": Estate.objects.filter(
            community__path__startswith=utilities[0].jurisdiction.path
        ).order_by("code")[:300]
        if utilities
        else [],
        "supplies": UtilityWork.Supply.choices,
        "posted": request.POST if failure else {},
        **failure,
    }
    return render(request, "parties/outages.html", context, status=failure.get("status", 200))


def _page(request: HttpRequest, outage: Outage, failure: dict[str, Any] | None = None) -> Any:
    tasks = list(
        outage.tasks.select_related("estate", "unit", "outage").order_by("estate_id", "id")
    )
    for t in tasks:
        t.label = label(t.kind)  # type: ignore[attr-defined]
        t.offered = actions.task_offered(request.user, t)  # type: ignore[attr-defined]
    handles = access.handles_outage(request.user, outage)
    context = {
        "outage": outage,
        "estates": list(outage.estates.order_by("code")),
        "tasks": tasks,
        "links": selectors.outage_cases(outage),
        "suggested": selectors.outage_suggestions(outage) if handles else [],
        "updates": outage.updates.select_related("unit").order_by("-created_at", "-id"),
        "offered": actions.outage_offered(request.user, outage),
        "overdue": selectors.outage_overdue(outage),
        "posted": request.POST if failure else {},
        **(failure or {}),
    }
    return render(
        request, "parties/outage.html", context, status=(failure or {}).get("status", 200)
    )


@login_required
def outage(request: HttpRequest, pk: int) -> HttpResponse:
    return _page(request, _outage(request, pk))


@login_required
@require_POST
def outage_act(request: HttpRequest, pk: int, name: str) -> HttpResponse:
    found = _outage(request, pk)
    action = actions.OUTAGE_ACTIONS.get(name)
    if action is None or name not in actions.outage_offered(request.user, found):
        raise Http404(_("未找到，或无权查看"))
    _result, failure = _run(action, found, request)
    if failure:
        return _page(request, _outage(request, pk), failure)
    messages.success(request, str(action.done))
    return redirect("parties:outage", pk=pk)


@login_required
@require_POST
def task_done(request: HttpRequest, pk: int) -> HttpResponse:
    task = get_object_or_404(
        OutageTask.objects.select_related("outage", "estate", "unit").filter(
            outage__in=access.readable_outages(request.user)
        ),
        pk=pk,
    )
    action = actions.OUTAGE_TASK_ACTIONS.get("done")
    assert action is not None
    _result, failure = _run(action, task, request)
    if failure:
        return _page(request, task.outage, failure)
    messages.success(request, str(action.done))
    return redirect("parties:outage", pk=task.outage_id)


@login_required
def case_outage(request: HttpRequest, number: str) -> HttpResponse:
    """The case's side: the current outages of its estate the user may link it to."""
    from gongzhi.cases.access import readable_cases

    case = readable_cases(request.user).filter(number=number[:40]).select_related("estate")
    found = case.first()
    if found is None:
        raise Http404(_("未找到，或无权查看"))
    candidates = [
        o
        for o in access.readable_outages(request.user).filter(
            estates=found.estate, state=Outage.State.OPEN
        )
        if access.handles_outage(request.user, o)
    ]
    linked = selectors.outage_of_case(found)
    return render(
        request,
        "parties/case_outage.html",
        {"case": found, "candidates": candidates, "linked": linked},
    )
