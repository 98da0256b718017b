"""Pages of topics: the convener's queue and the unit's own topics, proposing one, a
topic with what may be done to it now, and the convener's htmx review of one row."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _

from gongzhi.meetings import access, selectors
from gongzhi.meetings.views.base import act, page, readable
from gongzhi.org.models import Estate, Unit


@login_required
def topics(request: HttpRequest) -> HttpResponse:
    """Topics waiting for the convener, the office's approved topics, and the topics of
    the user's units."""
    who = access.Who(request.user)
    pending = list(selectors.pending_topics(who))
    access.annotate(request.user, pending, who=who)
    bodies = access.readable_bodies(request.user).select_related("jurisdiction", "office_unit")
    context = {
        "pending": pending,
        "mine": selectors.visible_topics(request.user)
        .filter(proposing_unit_id__in=who.scope.unit_ids)
        .order_by("-created_at")[:50],
        "approved": selectors.managed_approved_topics(who),
        "proposable": [
            b for b in bodies if access.offered(request.user, "topic_propose", b, who=who)
        ],
    }
    return page(request, "meetings/topics.html", context)


@login_required
def topic_review(request: HttpRequest, pk: int) -> HttpResponse:
    """htmx: approve or reject one topic, answer with its row."""
    topic = readable(access.topic_for, request, pk)
    if request.method != "POST":
        return redirect("meetings:topic_detail", pk=pk)
    outcome = act(request, topic, back="/meetings/topics/")
    if not request.htmx:  # type: ignore[attr-defined]
        return outcome.response or redirect("meetings:topics")
    topic = readable(access.topic_for, request, pk)
    access.annotate(request.user, [topic])
    context = {"t": topic, **outcome.context}
    return render(request, "meetings/_topic_row.html", context, status=outcome.status)


@login_required
def topic_propose(request: HttpRequest, body_pk: int) -> HttpResponse:
    body = readable(access.body_for, request, body_pk)
    who = access.Who(request.user)
    outcome = None
    if request.method == "POST":
        outcome = act(request, body)
        if outcome.done:
            return outcome.response  # type: ignore[return-value]
    access.annotate(request.user, [body], who=who)
    if "topic_propose" not in body.allowed:
        raise DjangoPermissionDenied(_("您的单位不是该议事机构的成员单位"))
    context = {
        "body": body,
        "units": Unit.objects.filter(pk__in=who.proposing_units(body)).order_by("name"),
        "estates": Estate.objects.filter(
            community__path__startswith=body.jurisdiction.path
        ).order_by("code"),
        "form": request.POST,
    }
    return page(request, "meetings/topic_form.html", context, outcome)


@login_required
def topic_detail(request: HttpRequest, pk: int) -> HttpResponse:
    topic = readable(access.topic_for, request, pk)
    outcome = None
    if request.method == "POST":
        outcome = act(request, topic)
        if outcome.done:
            return outcome.response  # type: ignore[return-value]
    access.annotate(request.user, [topic])
    context = {
        "topic": topic,
        "origin": topic.escalated_from,
        "agendas": access.open_agendas(topic.body, timezone.now()).order_by("starts_at"),
        "cases": list(topic.cases.all()),
    }
    return page(request, "meetings/topic_detail.html", context, outcome)
