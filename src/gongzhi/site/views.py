"""Pages that gather what several apps hold for one person."""

from __future__ import annotations

from typing import cast

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from gongzhi.cases import services as case_services
from gongzhi.meetings import access as meetings_access
from gongzhi.meetings import services as meetings_services
from gongzhi.org.models import User
from gongzhi.site.notices import unread


@login_required
def notices(request: HttpRequest) -> HttpResponse:
    """Everything unread, from cases and from joint conferences, newest first."""
    return render(request, "site/notices.html", {"notices": unread(request.user)})


@login_required
@require_POST
def notices_read(request: HttpRequest) -> HttpResponse:
    """Mark everything read, through each app's own service."""
    case_services.notifications_read(actor=request.user)
    inbox = meetings_access.inbox_for(request.user)
    if meetings_access.offered(request.user, "inbox_read", inbox):
        meetings_services.inbox_read(actor=cast(User, request.user))
    return redirect("site:notices")
