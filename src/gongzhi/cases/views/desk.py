"""The office's dispatch desk: cases waiting at the levels it manages, grouped by what
they wait for, with the classifier's suggestion and the route it would take, and the
row's actions as the registry offers them."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from gongzhi.cases import access, actions, selectors, workflow
from gongzhi.cases.models import CaseEvent, State
from gongzhi.cases.repeats import repeat_groups
from gongzhi.cases.services.bulk import BulkItem, case_dispatch_many
from gongzhi.cases.services.repeats import repeats_merge
from gongzhi.cases.views.case_page import matter_choices
from gongzhi.catalog.answer import rank_at
from gongzhi.catalog.classify import Ranking
from gongzhi.catalog.routing import route
from gongzhi.common.errors import DomainError, InvalidInput

DESK_ACTIONS = ("dispatch", "overrule", "feedback", "send_back")
DESK_LIMIT = 200


@login_required
def desk(request: HttpRequest) -> HttpResponse:
    scope = access.viewer(request.user).scope
    if not (scope.is_admin or scope.office_paths):
        raise DjangoPermissionDenied(_("只有联席会议办公室可以使用分派台"))
    cases = list(
        selectors.desk_cases(request.user).select_related(
            "estate__community", "estate__property_company", "estate__owners_committee"
        )[:DESK_LIMIT]
    )
    returns: dict[int, CaseEvent] = {}
    for e in (
        CaseEvent.objects.filter(case_id__in=[c.pk for c in cases], action="return")
        .select_related("unit")
        .order_by("id")
    ):
        returns[e.case_id] = e
    matters: dict[int, list[Any]] = {}
    answers: dict[tuple[int, str], Any] = {}
    rows: list[dict[str, Any]] = []
    for case in cases:
        community = case.estate.community
        if community.pk not in matters:
            matters[community.pk] = matter_choices(case.estate)
        ranking = Ranking([])
        if case.state in (State.REGISTERED, State.ESCALATED, State.RETURNED):
            ranking = rank_at(estate=case.estate, title=case.title, body=case.description)
        suggestions = ranking.suggestions
        answer = None
        if suggestions and not ranking.abstained:
            key = (case.estate_id, suggestions[0].code)
            if key not in answers:
                try:
                    answers[key] = route(estate=case.estate, matter_code=suggestions[0].code)
                except DomainError:
                    answers[key] = None
            answer = answers[key]
        ret = returns.get(case.pk)
        ctx = workflow.Ctx(case, request.user)
        rows.append(
            {
                "case": case,
                "text": access.case_text(case, ctx.has_side("office")),
                "allowed": actions.available(ctx, among=DESK_ACTIONS),
                "suggestions": suggestions,
                "ranking": ranking,
                "answer": answer,
                "matters": matters[community.pk],
                "returned": ret,
                "claimed": (ret.extra or {}).get("claimed_matter", "") if ret else "",
            }
        )
    suggested = {
        r["case"].pk: r["suggestions"][0].code
        for r in rows
        if r["suggestions"] and not r["ranking"].abstained
    }
    found = repeat_groups(request.user, cases, suggested, timezone.now())
    for r in rows:
        r["repeats"] = group = found.get(r["case"].pk)
        r["repeat_open"] = [
            c for c in (group.cases if group else []) if c.is_open and c.pk != r["case"].pk
        ]
    groups = [
        (_("待分派"), [r for r in rows if r["case"].state == State.REGISTERED]),
        (_("下级上报"), [r for r in rows if r["case"].state == State.ESCALATED]),
        (_("单位退回待裁定"), [r for r in rows if r["case"].state == State.RETURNED]),
        (_("已办结待反馈"), [r for r in rows if r["case"].state == State.HANDLED]),
        (_("不满意待复核"), [r for r in rows if r["case"].state == State.REVIEW]),
    ]
    units = list(scope.visible_units().filter(is_active=True).order_by("name"))
    context = {"groups": groups, "total": len(rows), "units": units, **_bulk(groups[0][1])}
    return render(request, "cases/desk.html", context)


def _bulk(waiting: list[dict[str, Any]]) -> dict[str, Any]:
    """Bulk dispatch for the cases waiting to be dispatched (the desk's first group): offered
    when one of them may be dispatched, with the matters of their catalogs."""
    matters: dict[str, Any] = {}
    for r in waiting:
        for m in r["matters"]:
            matters.setdefault(m.code, m)
    return {
        "bulk": any("dispatch" in r["allowed"] for r in waiting),
        "bulk_matters": sorted(matters.values(), key=lambda m: m.code),
    }


@login_required
@require_POST
def desk_repeats(request: HttpRequest) -> HttpResponse:
    """合并重复诉求: the ticked repeats into the row's case, and optionally a topic."""
    try:
        done = repeats_merge(
            actor=request.user,
            keep=request.POST.get("keep", "")[:40],
            numbers=[n[:40] for n in request.POST.getlist("numbers")],
            topic=request.POST.get("topic") == "1",
        )
    except InvalidInput as exc:
        for error in exc.errors:
            messages.error(request, error.message)
        return redirect("cases:desk")
    except DomainError as exc:
        messages.error(request, exc.message)
        return redirect("cases:desk")
    text = _("已将 %(list)s 并入 %(number)s") % {
        "list": _("、").join(c.number for c in done.merged),
        "number": done.case.number,
    }
    if done.topic is not None:
        text += _("，并提请议题“%(title)s”待召集人审核") % {"title": done.topic.title}
    messages.success(request, text)
    return redirect("cases:desk")


@login_required
@require_POST
def desk_bulk(request: HttpRequest) -> HttpResponse:
    """批量分派: the ticked cases of the desk, to one matter or each to its suggestion."""
    items = []
    for value in request.POST.getlist("pick"):
        number, _sep, version = value.partition(":")
        items.append(BulkItem(number[:40], int(version) if version.isdigit() else None))
    try:
        outcomes = case_dispatch_many(
            actor=request.user,
            items=items,
            matter_code=request.POST.get("matter_code", "").strip()[:40],
        )
    except InvalidInput as exc:
        for error in exc.errors:
            messages.error(request, error.message)
        return redirect("cases:desk")
    done = [o for o in outcomes if o.ok]
    if done:
        messages.success(
            request,
            _("已分派 %(n)s 件：%(list)s")
            % {
                "n": len(done),
                "list": _("、").join(f"{o.number} → {o.unit}" for o in done),
            },
        )
    for o in outcomes:
        if not o.ok:
            messages.error(
                request, _("%(number)s 未分派：%(why)s") % {"number": o.number, "why": o.message}
            )
    return redirect("cases:desk")
