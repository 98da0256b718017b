"""A unit's workbench: its open cases with their clocks, its tasks on other units'
cases, and its unread notifications."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from gongzhi.cases import access, actions, selectors, workflow
from gongzhi.cases import services as s
from gongzhi.cases.display import clock
from gongzhi.cases.models import CaseTask, Notification
from gongzhi.cases.views.case_page import safe_next
from gongzhi.org.models import Unit


@login_required
def inbox(request: HttpRequest) -> HttpResponse:
    v = access.viewer(request.user)
    if not v.handling_unit_ids:
        raise DjangoPermissionDenied(_("您不属于任何成员单位"))
    now = timezone.now()
    rows: list[dict[str, Any]] = []
    for case in selectors.inbox_cases(request.user)[:300]:
        ctx = workflow.Ctx(case, request.user)
        rows.append(
            {
                "case": case,
                "clock": clock(case, now),
                "allowed": actions.available(ctx, among=("accept",)),
            }
        )
    task_rows = []
    for t in selectors.inbox_tasks(request.user)[:200]:
        overdue = bool(t.breached_at) or (
            t.state == CaseTask.TaskState.PENDING
            and t.checkin_due_at is not None
            and t.checkin_due_at < now
        )
        task_rows.append({"task": t, "overdue": overdue})
    notices = list(
        Notification.objects.filter(unit_id__in=sorted(v.handling_unit_ids), read_at__isnull=True)
        .select_related("case", "unit")
        .order_by("-created_at", "-id")[:50]
    )
    return render(
        request,
        "cases/inbox.html",
        {
            "rows": rows,
            "overdue_count": sum(1 for r in rows if r["clock"] and r["clock"].overdue),
            "task_rows": task_rows,
            "notices": notices,
            "my_units": Unit.objects.filter(pk__in=v.handling_unit_ids).order_by("name"),
        },
    )


@login_required
@require_POST
def notifications_read(request: HttpRequest) -> HttpResponse:
    raw = request.POST.get("id", "")
    s.notifications_read(
        actor=request.user, ids=[int(raw)] if raw.isdigit() and len(raw) < 19 else []
    )
    return redirect(safe_next(request, reverse("cases:inbox")))
