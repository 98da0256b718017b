"""Pages of coordinated problem solving: the estates a user stands for, an estate's problems
and early-intervention matters with the forms to raise them, a problem with its tier's
table, timeline and the forms of the actions offered, a printable consultation record, and
a case becoming a problem. A posted form is parsed with the action's schema and run by the
registry's runner; who may is access.py and workflow.py."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.db.models import Count, Q
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from gongzhi.common.actions import Action, errors_by_field, form_input
from gongzhi.common.errors import DomainError, FieldError, InvalidInput, NotFound, PermissionDenied
from gongzhi.parties.models import Party
from gongzhi.problems import access, actions, selectors, workflow
from gongzhi.problems.models import (
    CLOSED_STATES,
    Consultation,
    EarlyMatter,
    Invitation,
    Problem,
    Tier,
)


def _or_404(find: Any, *args: Any) -> Any:
    try:
        return find(*args)
    except NotFound as exc:
        raise Http404(exc.message) from exc


def _run(action: Action[Any], obj: Any, request: HttpRequest) -> tuple[Any, dict[str, Any]]:
    """Run ``action`` on ``obj`` with the posted form; (result, {}) or (None, failure)."""
    try:
        data = form_input(action.input, request.POST)
        files = {name: request.FILES.getlist(name) for name in action.files}
        return action.run(obj, request.user, data, files), {}
    except PermissionDenied as exc:
        raise DjangoPermissionDenied(exc.message) from exc
    except InvalidInput as exc:
        return None, {
            "errors": errors_by_field(exc.errors),
            "failed": action.name,
            "summary": exc.message,
            "error_list": exc.errors,
            "status": 422,
        }
    except DomainError as exc:
        return None, {
            "errors": {"__all__": [exc.message]},
            "failed": action.name,
            "summary": exc.message,
            "error_list": [FieldError("", exc.message)],
            "status": exc.status,
        }


@login_required
def index(request: HttpRequest) -> HttpResponse:
    open_q = ~Q(problems__state__in=CLOSED_STATES) & Q(problems__isnull=False)
    estates = (
        access.readable_estates(request.user)
        .annotate(open_problems=Count("problems", filter=open_q))
        .order_by("code")[:500]
    )
    overdue = selectors.overdue(access.readable_problems(request.user)).order_by("due_at")[:100]
    return render(request, "problems/index.html", {"estates": estates, "overdue": overdue})


def _estate_page(
    request: HttpRequest, code: str, failure: dict[str, Any] | None = None
) -> HttpResponse:
    estate = _or_404(access.estate_for, request.user, code)
    problems = access.readable_problems(request.user).filter(estate=estate)[:500]
    matters = access.readable_matters(request.user).filter(estate=estate)[:200]
    context = {
        "estate": estate,
        "problems": problems,
        "matters": matters,
        "offered": actions.estate_offered(request.user, estate),
        "tiers": Tier.choices,
        "parties": [(p.value, p.label) for p in Party if p != Party.OFFICE],
        "kinds": EarlyMatter.Kind.choices,
        "posted": request.POST if failure else {},
        **(failure or {}),
    }
    status = (failure or {}).get("status", 200)
    return render(request, "problems/estate.html", context, status=status)


@login_required
def estate(request: HttpRequest, code: str) -> HttpResponse:
    return _estate_page(request, code)


@login_required
@require_POST
def estate_act(request: HttpRequest, code: str, name: str) -> HttpResponse:
    found = _or_404(access.estate_for, request.user, code)
    action = actions.ESTATE_ACTIONS.get(name)
    if action is None or name not in actions.estate_offered(request.user, found):
        raise Http404(_("未找到，或无权查看"))
    result, failure = _run(action, found, request)
    if failure:
        return _estate_page(request, code, failure)
    messages.success(request, str(action.done))
    if isinstance(result, EarlyMatter):
        return redirect("problems:matter", pk=result.pk)
    return redirect("problems:detail", pk=result.pk)


def _detail_page(
    request: HttpRequest, problem: Problem, failure: dict[str, Any] | None = None
) -> HttpResponse:
    offered = actions.problem_offered(request.user, problem)
    labels = selectors.move_labels(problem)
    spec = workflow.TIERS[problem.tier]
    context = {
        "problem": problem,
        "spec": spec,
        "public": selectors.public_problem(problem),
        "overdue": selectors.is_overdue(problem),
        "consultations": list(problem.consultations.all()),
        "timeline": selectors.timeline(problem),
        "moves": [(n, labels.get(n, n)) for n in offered if n in actions.MOVE_LABELS],
        "offered": offered,
        "forms": Consultation.Form.choices,
        "parties": [(p.value, p.label) for p in Party if p != Party.OFFICE],
        "posted": request.POST if failure else {},
        **(failure or {}),
    }
    status = (failure or {}).get("status", 200)
    return render(request, "problems/detail.html", context, status=status)


@login_required
def detail(request: HttpRequest, pk: int) -> HttpResponse:
    return _detail_page(request, _or_404(access.problem_for, request.user, pk))


@login_required
@require_POST
def act(request: HttpRequest, pk: int, name: str) -> HttpResponse:
    problem = _or_404(access.problem_for, request.user, pk)
    action = actions.PROBLEM_ACTIONS.get(name)
    if action is None:
        raise Http404(_("未知操作"))
    _result, failure = _run(action, problem, request)
    if failure:
        return _detail_page(request, problem, failure)
    messages.success(request, str(action.done))
    return redirect("problems:detail", pk=problem.pk)


@login_required
def record(request: HttpRequest, pk: int) -> HttpResponse:
    """The printable record of a problem's consultations (002 (二)第六条)."""
    problem = _or_404(access.problem_for, request.user, pk)
    context = {
        "problem": problem,
        "spec": workflow.TIERS[problem.tier],
        "consultations": list(problem.consultations.all()),
        "public": selectors.public_problem(problem),
    }
    return render(request, "problems/record.html", context)


def _matter_page(
    request: HttpRequest, matter: EarlyMatter, failure: dict[str, Any] | None = None
) -> HttpResponse:
    mine = set(access.sides(request.user, matter.estate))
    blocked = workflow.early_refusal(matter, "decide", mine) if mine else None
    context = {
        "matter": matter,
        "public": selectors.public_matter(matter),
        "offered": actions.matter_offered(request.user, matter),
        "decide_blocked": blocked if blocked != workflow.NOT_YOURS else None,
        "bodies": Invitation.Body.choices,
        "missing": workflow.missing_invitations(matter),
        "timeline": selectors.timeline(matter),
        "posted": request.POST if failure else {},
        **(failure or {}),
    }
    status = (failure or {}).get("status", 200)
    return render(request, "problems/matter.html", context, status=status)


@login_required
def matter(request: HttpRequest, pk: int) -> HttpResponse:
    return _matter_page(request, _or_404(access.matter_for, request.user, pk))


@login_required
@require_POST
def matter_act(request: HttpRequest, pk: int, name: str) -> HttpResponse:
    found = _or_404(access.matter_for, request.user, pk)
    action = actions.MATTER_ACTIONS.get(name)
    if action is None:
        raise Http404(_("未知操作"))
    _result, failure = _run(action, found, request)
    if failure:
        return _matter_page(request, found, failure)
    messages.success(request, str(action.done))
    return redirect("problems:matter", pk=found.pk)


@login_required
def from_case(request: HttpRequest, number: str) -> HttpResponse:
    from gongzhi.cases.display import case_for

    case = case_for(request.user, number[:40])
    if case is None or "to_problem" not in actions.case_offered(request.user, case):
        raise Http404(_("未找到，或无权查看"))
    failure: dict[str, Any] = {}
    if request.method == "POST":
        action = actions.CASE_ACTIONS.get("to_problem")
        assert action is not None
        result, failure = _run(action, case, request)
        if not failure:
            messages.success(request, str(action.done))
            return redirect("problems:detail", pk=result.pk)
    context = {
        "case": case,
        "tiers": Tier.choices,
        "parties": [(p.value, p.label) for p in Party if p != Party.OFFICE],
        "posted": request.POST if failure else {},
        **failure,
    }
    return render(request, "problems/from_case.html", context, status=failure.get("status", 200))
