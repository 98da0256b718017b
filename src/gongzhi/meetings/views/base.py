"""What the meetings pages share: one way to run a posted action (the registry's schema,
the registry's runner, the object looked up through access.py), and small helpers. A
page decides nothing itself: which forms it shows is ``obj.allowed`` (access.annotate)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _

from gongzhi.common.errors import DomainError, FieldError, InvalidInput, NotFound, PermissionDenied
from gongzhi.meetings import access, actions

TARGETS: dict[str, Callable[[Any, Any], Any]] = {
    "body": access.body_for,
    "meeting": access.meeting_for,
    "topic": access.topic_for,
    "invitation": access.invitation_for,
    "leave": access.leave_for,
    "decision": access.decision_for,
    "inbox": lambda user, _pk: access.inbox_for(user),
}


def readable(find: Callable[[Any, Any], Any], request: HttpRequest, pk: Any) -> Any:
    """The object if the account may read it; 404 otherwise, whether it exists or not."""
    try:
        return find(request.user, pk)
    except NotFound as exc:
        raise Http404(exc.message) from exc


@dataclass
class Outcome:
    """A posted action's result: a redirect when done, else the errors for the page."""

    response: HttpResponse | None = None
    status: int = 200
    context: dict[str, Any] = field(default_factory=dict)
    name: str = ""

    @property
    def done(self) -> bool:
        return self.response is not None


def _failed(status: int, errors: list[FieldError], summary: str, name: str) -> Outcome:
    return Outcome(status=status, context={"errors": errors, "summary": summary}, name=name)


def act(request: HttpRequest, on: Any = None, *, back: str | None = None) -> Outcome:
    """Run the posted ``action`` on the posted ``target``, or on the page's object ``on``
    when the form names none: parsed with the action's schema, run by the registry's
    runner."""
    name = request.POST.get("action", "")
    try:
        action = actions.action(name)
    except KeyError:
        return _failed(400, [FieldError("action", _("未知操作"))], _("未知操作"), name)
    if "target" not in request.POST and on is not None and access.kind_of(on) == action.on:
        target = on
    else:
        target = readable(TARGETS[action.on], request, request.POST.get("target"))
    try:
        data = actions.parse_form(action, request.POST)
        files = {key: request.FILES.getlist(key) for key in action.files}
        result = actions.run(name, target, request.user, data, files)
    except PermissionDenied as exc:
        raise DjangoPermissionDenied(exc.message) from exc
    except NotFound as exc:
        raise Http404(exc.message) from exc
    except InvalidInput as exc:
        return _failed(422, exc.errors, exc.message, name)
    except DomainError as exc:
        return _failed(exc.status, [FieldError("", exc.message)], exc.message, name)
    messages.success(request, action.message(result))
    goto = action.goto(result) if action.goto is not None else None
    return Outcome(response=redirect(goto or back or request.get_full_path()), name=name)


def page(
    request: HttpRequest, template: str, context: dict[str, Any], outcome: Outcome | None = None
) -> HttpResponse:
    """Render a page, with a failed action's errors and status."""
    if outcome is not None:
        context.update(outcome.context)
        context["failed_action"] = outcome.name
    return render(request, template, context, status=outcome.status if outcome else 200)


def month_of(raw: str) -> dt.date:
    """``2026-11`` → 1 November 2026; this month for anything else or outside 2000–2100."""
    try:
        year, month = (int(x) for x in raw.split("-"))
        if 2000 <= year <= 2100:
            return dt.date(year, month, 1)
    except ValueError:
        pass
    return timezone.localdate().replace(day=1)
