from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db.models import Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.utils.translation import gettext as _

from gongzhi.common.workcal import calendar_warnings
from gongzhi.org.models import Body, Estate, Unit
from gongzhi.org.permissions import scope_for
from gongzhi.org.selectors import body_current_members, unit_post_history

ESTATE_RELATED = (
    "community__parent__parent",
    "property_company",
    "owners_committee",
)


def home(request: HttpRequest) -> HttpResponse:
    scope = scope_for(request.user)
    units = list(Unit.objects.filter(pk__in=scope.unit_ids).select_related("kind", "jurisdiction"))
    # The office keeps the working calendar: it is told when a year has no holidays.
    office = scope.is_admin or "office_staff" in scope.roles
    return render(
        request,
        "org/home.html",
        {
            "my_units": units,
            "estates": Estate.objects.count(),
            "calendar_warnings": calendar_warnings() if office else [],
        },
    )


def estates(request: HttpRequest) -> HttpResponse:
    q = request.GET.get("q", "").strip()
    qs = Estate.objects.select_related(*ESTATE_RELATED)
    if q:
        qs = qs.filter(Q(name__contains=q) | Q(address__contains=q) | Q(code__iexact=q))
    return render(request, "org/estates.html", {"estates": qs, "q": q})


@login_required
def units(request: HttpRequest) -> HttpResponse:
    scope = scope_for(request.user)
    q = request.GET.get("q", "").strip()
    qs = scope.visible_units().select_related("kind", "jurisdiction")
    if q:
        qs = qs.filter(Q(name__contains=q) | Q(kind__name__contains=q))
    return render(request, "org/units.html", {"units": qs[:500], "q": q})


@login_required
def unit_detail(request: HttpRequest, code: str) -> HttpResponse:
    unit = get_object_or_404(Unit.objects.select_related("kind", "jurisdiction"), code=code)
    if not scope_for(request.user).can_view_unit(unit):
        raise PermissionDenied(_("无权查看该单位"))
    posts = unit_post_history(unit)
    bodies = Body.objects.filter(members__unit=unit).distinct()
    return render(request, "org/unit_detail.html", {"unit": unit, "posts": posts, "bodies": bodies})


@login_required
def body_detail(request: HttpRequest, pk: int) -> HttpResponse:
    body = get_object_or_404(Body.objects.select_related("jurisdiction", "office_unit"), pk=pk)
    scope = scope_for(request.user)
    member_units = set(body.members.values_list("unit_id", flat=True))
    if not (scope.reads_jurisdiction(body.jurisdiction) or member_units & scope.unit_ids):
        raise PermissionDenied(_("无权查看该议事机构"))
    current = body_current_members(body.pk)
    history = body.members.filter(end_date__isnull=False).select_related("unit", "person")
    return render(
        request, "org/body_detail.html", {"body": body, "current": current, "history": history}
    )
