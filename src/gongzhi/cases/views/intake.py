"""The staff intake form (003 二(十二), 004 三(一)): the 12345 dispatcher and every unit
that takes calls log a call, a visit, a patrol finding, a referral or a media report,
keyboard first. Helpers answer through htmx: estates by name or address, the caller's
earlier cases, the classifier's suggestion with its route, and open cases of the same
estate and matter that the call may be attached to instead. Who may register where, and
who may see a caller's history, is asked of ``access``."""

from __future__ import annotations

import uuid
from typing import Any

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _

from gongzhi.cases import access, selectors
from gongzhi.cases import services as s
from gongzhi.cases.display import state_label
from gongzhi.cases.models import Case, Channel, Urgency
from gongzhi.cases.schemas import StaffIntakeIn
from gongzhi.cases.views.case_page import matter_choices
from gongzhi.catalog.classify import get_classifier
from gongzhi.catalog.routing import route
from gongzhi.common.actions import errors_by_field, form_input
from gongzhi.common.errors import DomainError, FieldError, InvalidInput
from gongzhi.org.models import Estate, Unit

FIELDS = tuple(StaffIntakeIn.model_fields)
# The order channels are offered in: the calls a hotline takes first.
CHANNEL_ORDER = [
    Channel.HOTLINE_12345,
    Channel.MAYOR_HOTLINE,
    Channel.HOTLINE_12319,
    Channel.VISIT,
    Channel.PATROL,
    Channel.REFERRAL,
    Channel.MEDIA,
    Channel.ONLINE,
    Channel.OPINION,
]
TITLE_WORDS = 30


def _right(request: HttpRequest) -> access.IntakeRight:
    right = access.intake_right(request.user)
    if not right.channels or right.as_resident:
        raise DjangoPermissionDenied(right.reason or _("您无权登记来电来访"))
    return right


def _estate(right: access.IntakeRight, code: str) -> Estate | None:
    if not code:
        return None
    return (
        Estate.objects.filter(right.estates_q, code=code[:32])
        .select_related("community", "property_company", "owners_committee")
        .first()
    )


def _title(data: Any) -> str:
    """The title a dispatcher left empty: the description's first words."""
    if data.title:
        return str(data.title)
    first = str(data.description).strip().splitlines()[0] if data.description.strip() else ""
    return first[:TITLE_WORDS] + ("…" if len(first) > TITLE_WORDS else "")


@login_required
def intake(request: HttpRequest) -> HttpResponse:
    right = _right(request)
    user = request.user
    channels = [(c, Channel(c).label) for c in CHANNEL_ORDER if c in right.channels]
    my_units = list(
        Unit.objects.filter(pk__in=access.viewer(user).handling_unit_ids).order_by("name")
    )
    values: dict[str, Any] = {name: "" for name in FIELDS}
    values.update(channel=channels[0][0], urgency=Urgency.NORMAL)
    if my_units:
        values["reporting_unit"] = my_units[0].code
    errors: dict[str, list[str]] = {}
    status = 200
    if request.method == "POST":
        values = {name: request.POST.get(name, "").strip() for name in FIELDS}
        try:
            return _submit(request, right)
        except DomainError as exc:
            found = exc.errors if isinstance(exc, InvalidInput) else [FieldError("", exc.message)]
            errors = errors_by_field(found)
            if "attachments" in errors:
                errors.setdefault("files", []).extend(errors.pop("attachments"))
            status = exc.status
    if not values.get("form_key"):
        values["form_key"] = uuid.uuid4().hex
    estate = _estate(right, values["estate"])
    return render(
        request,
        "cases/intake.html",
        {
            "v": values,
            "errors": errors,
            "channels": channels,
            "urgencies": Urgency.choices,
            "my_units": my_units,
            "estate": estate,
            "matters": matter_choices(estate) if estate else [],
            "max_files": s.MAX_ATTACHMENTS,
        },
        status=status,
    )


def _submit(request: HttpRequest, right: access.IntakeRight) -> HttpResponse:
    data = form_input(StaffIntakeIn, request.POST)
    problems: list[FieldError] = []
    if not data.estate and not data.attach_to:
        problems.append(FieldError("estate", _("请选择小区")))
    if not data.description:
        problems.append(FieldError("description", _("请填写诉求内容")))
    if problems:
        raise InvalidInput(errors=problems)
    if data.attach_to:
        case = (
            Case.objects.select_related("estate", "matter", "lead_unit")
            .filter(number=data.attach_to)
            .first()
        )
        if case is None:
            raise InvalidInput(errors=[FieldError("attach_to", _("要并入的案件不存在"))])
        s.case_call_attach(
            case=case,
            actor=request.user,
            channel=data.channel,
            caller_name=data.reporter_name,
            caller_phone=data.reporter_phone,
            note=data.description,
        )
        return render(
            request,
            "cases/intake_done.html",
            {"case": case, "attached": True, "summary": access.public_summary(case)},
        )
    referring = data.channel in (Channel.PATROL, Channel.REFERRAL)
    case = s.case_register(
        channel=data.channel,
        estate=data.estate,
        title=_title(data),
        description=data.description,
        matter_code=data.matter_code,
        reporter_name=data.reporter_name,
        reporter_phone=data.reporter_phone,
        building=data.building,
        unit_no=data.unit_no,
        room=data.room,
        location=data.location,
        urgency=data.urgency,
        reporting_unit=(data.reporting_unit or None) if referring else None,
        idempotency_key=f"staff:{data.form_key}" if data.form_key else None,
        uploads=request.FILES.getlist("files"),
        actor=request.user,
    )
    return render(
        request,
        "cases/intake_done.html",
        {
            "case": case,
            "attached": False,
            "track_key": getattr(case, "track_key", None),
            "follow_url": request.build_absolute_uri(
                reverse("cases:follow", args=[access.follow_token(case)])
            ),
        },
    )


@login_required
def intake_estates(request: HttpRequest) -> HttpResponse:
    """Estates matching the search box (htmx): name, address or code."""
    _right(request)
    found = selectors.intake_estates(request.user, request.GET.get("q", ""))
    return render(
        request,
        "cases/_intake_estates.html",
        {"estates": found, "selected": found[0].code if len(found) == 1 else ""},
    )


@login_required
def intake_caller(request: HttpRequest) -> HttpResponse:
    """The caller's earlier cases (htmx), for those who may see reporters."""
    _right(request)
    phone = request.GET.get("reporter_phone", "")[:20]
    cases = access.earlier_cases_by_phone(request.user, phone)
    rows = [{"case": c, "state": state_label(c.state)} for c in cases]
    return render(request, "cases/_intake_caller.html", {"rows": rows, "phone": phone})


@login_required
def intake_hints(request: HttpRequest) -> HttpResponse:
    """The classifier's suggestion and its route, and the open cases of the same estate
    and matter (htmx)."""
    right = _right(request)
    estate = _estate(right, request.GET.get("estate", ""))
    context: dict[str, Any] = {"estate": estate, "suggestion": None, "answer": None}
    if estate is None:
        return render(request, "cases/_intake_hints.html", context)
    text = f"{request.GET.get('title', '')} {request.GET.get('description', '')}"[:5000]
    suggestions = get_classifier().suggest(text, estate.community, 3)
    chosen = request.GET.get("matter_code", "")[:40]
    code = chosen or (suggestions[0].code if suggestions else "")
    answer = None
    if code:
        try:
            answer = route(estate=estate, matter_code=code)
        except DomainError:
            answer = None
    duplicates = selectors.likely_duplicates(estate, code)
    context.update(
        suggestions=suggestions,
        chosen=chosen,
        code=code,
        answer=answer,
        duplicates=[
            {"case": c, "summary": access.public_summary(c), "state": state_label(c.state)}
            for c in duplicates
        ],
    )
    return render(request, "cases/_intake_hints.html", context)
