"""The office's pages for learning from the desk (issue 13): training examples (filter,
search, take a wrong one out of training), model versions (accuracy, activate, roll back)
and catalog change proposals (approve or reject). Who may: catalog/access.py; anyone
else gets 404."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied as Forbidden
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from gongzhi.catalog import access, office
from gongzhi.catalog.models import CatalogProposal, TrainingExample
from gongzhi.catalog.proposals import catalog_proposal_decide
from gongzhi.catalog.training import (
    model_version_activate,
    model_version_rollback,
    training_example_set_disabled,
)
from gongzhi.common.errors import DomainError, NotFound, PermissionDenied


def _not_found_as_404(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    @wraps(view)
    def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        try:
            return view(request, *args, **kwargs)
        except NotFound as exc:
            raise Http404(exc.message) from exc

    return login_required(wrapped)


def _done(request: HttpRequest, run: Callable[[], Any], message: str) -> None:
    try:
        run()
    except NotFound:
        raise
    except PermissionDenied as exc:
        raise Forbidden(exc.message) from exc
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, message)


@_not_found_as_404
def examples(request: HttpRequest, code: str) -> HttpResponse:
    node = access.office_jurisdiction(request.user, code)
    f = office.ExampleFilter.from_params(request.GET)
    page = Paginator(office.examples_filtered(node, f), office.PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    names = office.matter_names(node)
    return render(
        request,
        "catalog/examples.html",
        {
            "node": node,
            "f": f,
            "page": page,
            "rows": [office.example_dict(e, names) for e in page.object_list],
            "sources": TrainingExample.Source.choices,
            "names": sorted(names.items()),
        },
    )


@require_POST
@_not_found_as_404
def example_disable(request: HttpRequest, pk: int) -> HttpResponse:
    example = access.example_for(request.user, pk)
    disabled = request.POST.get("disabled", "1") != "0"
    _done(
        request,
        lambda: training_example_set_disabled(
            example=example,
            disabled=disabled,
            actor=request.user,
            reason=request.POST.get("reason", "")[:500],
        ),
        _("已停用该训练样本") if disabled else _("已恢复该训练样本"),
    )
    back = request.POST.get("code") or example.jurisdiction.code
    return redirect("catalog:examples", code=back)


@_not_found_as_404
def versions(request: HttpRequest, code: str) -> HttpResponse:
    node = access.office_jurisdiction(request.user, code)
    rows = office.versions(node)
    return render(request, "catalog/versions.html", {"node": node, "rows": rows})


@require_POST
@_not_found_as_404
def version_activate(request: HttpRequest, pk: int) -> HttpResponse:
    version = access.version_for(request.user, pk)
    _done(
        request,
        lambda: model_version_activate(version=version, actor=request.user),
        _("已启用第 %(n)s 版") % {"n": version.number},
    )
    return redirect("catalog:versions", code=version.jurisdiction.code)


@require_POST
@_not_found_as_404
def version_rollback(request: HttpRequest, code: str) -> HttpResponse:
    node = access.office_jurisdiction(request.user, code)
    _done(
        request,
        lambda: model_version_rollback(jurisdiction=node, actor=request.user),
        _("已回退到上一版本"),
    )
    return redirect("catalog:versions", code=node.code)


@_not_found_as_404
def proposals(request: HttpRequest, code: str) -> HttpResponse:
    node = access.office_jurisdiction(request.user, code)
    status = request.GET.get("status", CatalogProposal.Status.PROPOSED)
    kinds = dict(CatalogProposal.Kind.choices)
    labels = dict(CatalogProposal.Status.choices)
    rows = []
    for p in office.proposals(node, status)[:200]:
        row = office.proposal_dict(p, request.user)
        row["kind_label"] = kinds.get(p.kind, p.kind)
        row["status_label"] = labels.get(p.status, p.status)
        row["history"] = [{**h, "label": labels.get(h.get("action", ""), "")} for h in p.history]
        rows.append(row)
    return render(
        request,
        "catalog/proposals.html",
        {"node": node, "rows": rows, "status": status, "statuses": CatalogProposal.Status.choices},
    )


@require_POST
@_not_found_as_404
def proposal_decide(request: HttpRequest, pk: int) -> HttpResponse:
    proposal = access.proposal_for(request.user, pk)
    approve = request.POST.get("decision") == "approve"
    _done(
        request,
        lambda: catalog_proposal_decide(
            proposal=proposal,
            approve=approve,
            actor=request.user,
            note=request.POST.get("note", "")[:2000],
        ),
        _("已采纳，清单已更新") if approve else _("已不予采纳"),
    )
    back = request.POST.get("code") or proposal.catalog.jurisdiction.code
    return redirect("catalog:proposals", code=back)
