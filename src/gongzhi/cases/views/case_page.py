"""The case page: what the case is, its timeline, and the forms of exactly the actions
this user may take now (cases/actions.py); one POST handler for every action, which
parses the form with the action's schema and calls its service. Works with htmx (the
panel is swapped in place) and without (a redirect back)."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import (
    FileResponse,
    Http404,
    HttpRequest,
    HttpResponse,
    HttpResponseBase,
    HttpResponseRedirect,
)
from django.shortcuts import redirect, render
from django.urls import NoReverseMatch, reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from gongzhi.cases import access, actions, panels
from gongzhi.cases import services as s
from gongzhi.cases.display import case_for, case_view
from gongzhi.cases.models import Attachment, Case, EnforcementStep, Rating, State
from gongzhi.cases.services.events import CONFLICT, STALE
from gongzhi.catalog.classify import get_classifier
from gongzhi.catalog.selectors import effective_catalog
from gongzhi.common.actions import errors_by_field, form_input
from gongzhi.common.errors import Conflict, DomainError, InvalidInput
from gongzhi.common.http import HtmxHttpRequest
from gongzhi.common.uploads import thumbnail_open
from gongzhi.org.models import Estate, Unit

CONFLICT_MESSAGE = gettext_lazy(
    "该案件刚被他人处理，您看到的页面已过时。下面是最新情况，请核对后重新操作。"
)
# Actions whose forms pick a unit or a matter.
UNIT_PICKERS = {"dispatch", "transfer", "joint", "whistle", "report"}
MATTER_PICKERS = {"dispatch", "return", "overrule"}


def read_or_404(request: HttpRequest, number: str) -> Case:
    case = case_for(request.user, number)
    if case is None:
        raise Http404(_("案件不存在或无权查看"))
    return case


def safe_next(request: HttpRequest, fallback: str) -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    if target and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return fallback


def matter_choices(estate: Estate) -> list[Any]:
    entries = effective_catalog(estate.community)
    return sorted((e.matter for e in entries.values()), key=lambda m: m.code)


def unit_choices(estate: Estate) -> list[Unit]:
    """Units a case of ``estate`` may be sent to: those serving it, nearest first."""
    return list(access.serving_units(estate).order_by("jurisdiction__depth", "kind__sort", "name"))


def _enforcement(case: Case) -> dict[str, Any] | None:
    if not case.is_enforcement:
        return None
    steps = list(EnforcementStep)
    current = case.enforcement_step or EnforcementStep.DISCOVER
    index = [s.value for s in steps].index(current)
    return {
        "steps": [
            {"value": s.value, "label": s.label, "done": i < index, "current": i == index}
            for i, s in enumerate(steps)
        ],
        "current": current,
    }


def case_context(request: HttpRequest, case: Case, **extra: Any) -> dict[str, Any]:
    view = case_view(case, request.user)
    allowed = set(view.allowed)
    report_form = case.report_form if hasattr(case, "report_form") else None
    first = actions.next_step(case, view.allowed)
    last_return = next(
        (t.event for t in reversed(view.timeline) if t.event.action == "return"), None
    )
    accept_breach = next(
        (
            t.event.created_at
            for t in reversed(view.timeline)
            if t.event.action in ("supervise", "escalate")
            and (t.event.extra or {}).get("breach") == "签收"  # i18n: data (stored)
        ),
        None,
    )
    suggestions = []
    if "dispatch" in allowed:
        suggestions = get_classifier().suggest(
            f"{case.title} {case.description}", case.estate.community
        )
    waiting = (
        "lead" in view.sides
        and case.state in (State.ACCEPTED, State.IN_PROGRESS)
        and ("handle" not in allowed)
    )
    context = {
        "case": case,
        "view": view,
        "sides": view.sides,
        "text": view.text,
        "calls": view.calls,
        "public_summary": access.public_summary(case),
        "next_step": actions.registry.get(first) if first else None,
        "action_list": [actions.registry.get(n) for n in view.allowed if n != first],
        "accept_late": bool(
            accept_breach
            or (case.accepted_at and case.accept_due_at and case.accepted_at > case.accept_due_at)
        ),
        "allowed": view.allowed,
        "timeline": view.timeline,
        "tasks": view.tasks,
        "appeals": view.appeals,
        "photos": view.photos,
        "files": view.files,
        "clock": view.clock,
        "last_return": last_return,
        "accept_breach": accept_breach if not case.accepted_at else None,
        "enforcement": _enforcement(case),
        "report_form": report_form,
        "report_form_pdf_url": _pdf_url(case.number) if report_form else None,
        "streets": view.ctx.whistle_units if "whistle" in allowed else [],
        "units": unit_choices(case.estate) if allowed & UNIT_PICKERS else [],
        "matters": matter_choices(case.estate) if allowed & MATTER_PICKERS else [],
        "suggestions": suggestions,
        "panel_notes": panels.notes(request.user, case),
        "ratings": Rating.choices,
        "waiting_for_assist": waiting,
        "errors": {},
        "failed": "",
        "posted": {},
        "alert": "",
        "next": "",
    }
    context.update(extra)
    return context


def _pdf_url(number: str) -> str | None:
    try:
        return reverse("cases:report_form_pdf", args=[number])
    except NoReverseMatch:
        return None


def render_case(
    request: HtmxHttpRequest, case: Case, status: int = 200, **extra: Any
) -> HttpResponse:
    template = "cases/_case_panel.html" if request.htmx else "cases/case_detail.html"
    return render(request, template, case_context(request, case, **extra), status=status)


def case_detail(request: HtmxHttpRequest, number: str) -> HttpResponse:
    if not request.user.is_authenticated:
        return redirect(f"{reverse('login')}?next={request.path}")
    case = read_or_404(request, number)
    # Opening the case reads its notices to the user's units and to the user.
    s.notifications_read(actor=request.user, case=case)
    return render_case(request, case)


def hx_redirect(request: HtmxHttpRequest, url: str) -> HttpResponse:
    if request.htmx:
        response = HttpResponse(status=204)
        response["HX-Redirect"] = url
        return response
    return HttpResponseRedirect(url)


@require_POST
def case_act(request: HtmxHttpRequest, number: str, action: str) -> HttpResponse:
    """One action on a case. Success: back to the page (or the page it came from); a
    stale version: 409 with the current case and the conflict message; bad input: 422
    with the errors next to the fields; a refused rule: its message, 400/403."""
    if not request.user.is_authenticated:
        return redirect(f"{reverse('login')}?next={reverse('cases:detail', args=[number])}")
    spec = actions.registry.get(action)
    if spec is None:
        raise Http404(_("未知操作"))
    case = read_or_404(request, number)
    next_url = safe_next(request, "")
    try:
        data = form_input(spec.input, request.POST)
        files = {name: request.FILES.getlist(name) for name in spec.files}
        actions.perform(spec, case, request.user, data, files)
    except Conflict as exc:
        fresh = read_or_404(request, number)
        raced = exc.message in (str(CONFLICT), str(STALE))
        text = str(CONFLICT_MESSAGE) if raced else exc.message
        return render_case(request, fresh, 409, alert=text, alert_kind="conflict")
    except InvalidInput as exc:
        fresh = read_or_404(request, number)
        return render_case(
            request,
            fresh,
            exc.status,
            errors=errors_by_field(exc.errors),
            failed=action,
            posted=request.POST,
            alert=exc.summary,
            alert_kind="error",
            next=next_url,
        )
    except DomainError as exc:
        fresh = read_or_404(request, number)
        return render_case(
            request, fresh, exc.status, alert=exc.message, alert_kind="error", failed=action
        )
    done = str(spec.done or _("已完成：%(label)s") % {"label": spec.label})
    still = case_for(request.user, number)
    if still is None:
        messages.success(request, done)
        return hx_redirect(request, next_url or reverse("org:home"))
    if next_url:
        messages.success(request, done)
        return hx_redirect(request, next_url)
    if request.htmx:
        return render_case(request, still, alert=done, alert_kind="ok")
    messages.success(request, done)
    return redirect("cases:detail", number=number)


@login_required
def attachment(request: HttpRequest, number: str, pk: int) -> HttpResponseBase:
    """Stream an attachment after checking the reader may see the case; media URLs are
    never exposed. ``?thumb=1`` gives a small JPEG of a photo."""
    case = read_or_404(request, number)
    att = Attachment.objects.filter(pk=pk, case=case).first()
    if att is None:
        raise Http404(_("附件不存在"))
    response: HttpResponseBase
    if request.GET.get("thumb") and att.kind == Attachment.Kind.PHOTO:
        # Made once and kept beside the file, so a busy page decodes nothing.
        thumb = thumbnail_open(sha256=att.sha256, open_original=lambda: att.file.open("rb"))
        if thumb is None:
            raise Http404(_("图片无法预览"))
        response = FileResponse(thumb, content_type="image/jpeg")
    else:
        response = FileResponse(att.file.open("rb"), content_type=att.content_type)
        response["Content-Disposition"] = f'inline; filename="{att.sha256[:16]}"'
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, max-age=3600"
    return response
