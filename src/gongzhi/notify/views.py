"""The outbox page (消息发件箱): what was sent to whom, through which channel, with each
try's result; a failed message may be sent again. And a person's own preferences."""

from __future__ import annotations

from typing import Any

from django.contrib import messages as flash
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from gongzhi.common.errors import DomainError
from gongzhi.notify import access, services
from gongzhi.notify.models import ChannelKind, EventType, Message, Preference

LIMIT = 200


@login_required
def outbox(request: HttpRequest) -> HttpResponse:
    if not access.sees_outbox(request.user):
        raise DjangoPermissionDenied(_("只有联席会议办公室可以查看消息发件箱"))
    qs = access.readable_messages(request.user)
    state = request.GET.get("state", "")[:12]
    channel = request.GET.get("channel", "")[:10]
    event = request.GET.get("event", "")[:20]
    if state in Message.State.values:
        qs = qs.filter(state=state)
    if channel in ChannelKind.values:
        qs = qs.filter(channel=channel)
    if event in EventType.values:
        qs = qs.filter(event=event)
    rows = [
        {"m": m, "body": access.body_for_office(m)}
        for m in qs.order_by("-created_at", "-id")[:LIMIT]
    ]
    return render(
        request,
        "notify/outbox.html",
        {
            "rows": rows,
            "states": Message.State.choices,
            "channels": ChannelKind.choices,
            "events": EventType.choices,
            "f": {"state": state, "channel": channel, "event": event},
        },
    )


def _message(request: HttpRequest, pk: int) -> Message:
    if not access.sees_outbox(request.user):
        raise DjangoPermissionDenied(_("只有联席会议办公室可以查看消息发件箱"))
    found = access.readable_messages(request.user).filter(pk=pk).first()
    if found is None:
        raise Http404(_("没有这条消息"))
    return found


@login_required
def message(request: HttpRequest, pk: int) -> HttpResponse:
    m = _message(request, pk)
    return render(
        request,
        "notify/message.html",
        {"m": m, "body": access.body_for_office(m), "log": list(m.log.order_by("id"))},
    )


@login_required
@require_POST
def message_retry(request: HttpRequest, pk: int) -> HttpResponse:
    m = _message(request, pk)
    try:
        services.message_retry(message=m, actor=request.user)
    except DomainError as exc:
        flash.error(request, exc.message)
    else:
        flash.success(request, _("已重新发送"))
    return redirect("notify:message", pk=m.pk)


@login_required
def preferences(request: HttpRequest) -> HttpResponse:
    user: Any = request.user
    pref = Preference.objects.filter(user=user).first() or Preference(user=user)
    if request.method == "POST":
        try:
            services.preference_set(
                user=user,
                sms=request.POST.get("sms") == "on",
                email=request.POST.get("email") == "on",
                quiet_hours=request.POST.get("quiet_hours") == "on",
                muted_events=request.POST.getlist("muted_events"),
            )
        except DomainError as exc:
            flash.error(request, exc.message)
        else:
            flash.success(request, _("已保存"))
        return redirect("notify:preferences")
    return render(request, "notify/preferences.html", {"pref": pref, "events": EventType.choices})
