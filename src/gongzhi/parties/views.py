"""Pages of the three parties: the estates a user may publish on, an estate's notices with
the forms of the actions offered (actions.py asks access.py), a notice's public history.
A posted form is parsed with the action's schema and run by the registry's runner."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from gongzhi.common.actions import Action, errors_by_field, form_input
from gongzhi.common.errors import DomainError, FieldError, InvalidInput, PermissionDenied
from gongzhi.org.models import Estate
from gongzhi.parties import access, actions, selectors
from gongzhi.parties.models import Notice, Party
from gongzhi.parties.notice_kinds import SPECS, Kind


def _estate(code: str) -> Estate:
    return get_object_or_404(
        Estate.objects.select_related("community", "property_company", "owners_committee"),
        code=code[:32],
    )


@login_required
def index(request: HttpRequest) -> HttpResponse:
    estates = access.publishing_estates(request.user).order_by("code")[:500]
    return render(request, "parties/index.html", {"estates": estates})


def _run(action: Action[Any], obj: Any, request: HttpRequest) -> tuple[Any, dict[str, Any]]:
    """Run ``action`` on ``obj`` with the posted form; (result, {}) or (None, failure)."""
    try:
        data = form_input(action.input, request.POST)
        return action.run(obj, request.user, data, {}), {}
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


def _notices_page(
    request: HttpRequest, estate: Estate, failure: dict[str, Any] | None = None
) -> HttpResponse:
    if not access.can_publish(request.user, estate):
        raise Http404("未找到，或无权查看")
    notices = list(selectors.estate_notices(estate).order_by("kind", "-created_at"))
    for n in notices:
        n.status_label = selectors.status(n)  # type: ignore[attr-defined]
        n.offered = actions.notice_offered(request.user, n)  # type: ignore[attr-defined]
        n.rows_text = "\n".join(  # type: ignore[attr-defined]
            " | ".join(row.get(c.key, "") for c in SPECS[n.kind].columns) for row in n.rows
        )
    parties = actions.publish_parties(request.user, estate)
    context = {
        "estate": estate,
        "groups": selectors.grouped(notices),
        "kinds": [(k.value, k.label, SPECS[k].columns, SPECS[k].long_term) for k in Kind],
        "parties": [(p, Party(p).label) for p in parties],
        "posted": request.POST if failure else {},
        **(failure or {}),
    }
    status = (failure or {}).get("status", 200)
    return render(request, "parties/estate_notices.html", context, status=status)


@login_required
def estate_notices(request: HttpRequest, code: str) -> HttpResponse:
    return _notices_page(request, _estate(code))


@login_required
@require_POST
def publish(request: HttpRequest, code: str) -> HttpResponse:
    estate = _estate(code)
    if not access.can_publish(request.user, estate):
        raise Http404("未找到，或无权查看")
    action = actions.ESTATE_ACTIONS.get("publish")
    assert action is not None
    _result, failure = _run(action, estate, request)
    if failure:
        return _notices_page(request, estate, failure)
    messages.success(request, str(action.done))
    return redirect("parties:estate_notices", code=estate.code)


@login_required
@require_POST
def notice_act(request: HttpRequest, pk: int, name: str) -> HttpResponse:
    notice = get_object_or_404(Notice.objects.select_related("estate__community"), pk=pk)
    action = actions.NOTICE_ACTIONS.get(name.replace("-", "_"))
    if action is None or not access.can_publish(request.user, notice.estate):
        raise Http404("未找到，或无权查看")
    _result, failure = _run(action, notice, request)
    if failure:
        failure["failed_notice"] = notice.pk
        return _notices_page(request, notice.estate, failure)
    messages.success(request, str(action.done))
    return redirect("parties:estate_notices", code=notice.estate.code)


def notice_history(request: HttpRequest, pk: int) -> HttpResponse:
    """Public: one notice with every version before and after it."""
    notice = get_object_or_404(Notice.objects.select_related("estate", "unit"), pk=pk)
    chain = selectors.history(notice)
    for n in chain:
        n.status_label = selectors.status(n)  # type: ignore[attr-defined]
    columns = [(c.key, str(c.label)) for c in SPECS[notice.kind].columns]
    return render(
        request,
        "parties/notice_history.html",
        {"notice": notice, "chain": chain, "columns": columns, "estate": notice.estate},
    )
