"""Saving the ledger's current filter under a name, and deleting one (the ledger page
lists them). The rules are the service's; a refused name comes back on the ledger page."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from gongzhi.cases.services.filters import saved_filter_delete, saved_filter_save
from gongzhi.common.errors import DomainError, InvalidInput


def _ledger(query: str = "") -> str:
    return reverse("cases:ledger") + (f"?{query}" if query else "")


@login_required
@require_POST
def filter_save(request: HttpRequest) -> HttpResponse:
    query = request.POST.get("query", "")
    try:
        kept = saved_filter_save(user=request.user, name=request.POST.get("name", ""), query=query)
    except InvalidInput as exc:
        for error in exc.errors:
            messages.error(request, error.message)
        return redirect(_ledger(query))
    messages.success(request, _("已保存筛选“%(name)s”") % {"name": kept.name})
    return redirect(_ledger(kept.query))


@login_required
@require_POST
def filter_delete(request: HttpRequest, pk: int) -> HttpResponse:
    try:
        saved_filter_delete(user=request.user, pk=pk)
    except DomainError as exc:
        messages.error(request, exc.message)
    return redirect(_ledger())
