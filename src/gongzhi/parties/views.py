"""Pages of the three parties: the estates a user may publish on, an estate's notices with
the forms of the actions offered (actions.py asks access.py), a notice's public history.
A posted form is parsed with the action's schema and run by the registry's runner."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from gongzhi.common.actions import Action, errors_by_field, form_input
from gongzhi.common.errors import DomainError, FieldError, InvalidInput, PermissionDenied
from gongzhi.org.models import Estate
from gongzhi.parties import access, actions, selectors
from gongzhi.parties.models import Custody, Notice, Party, ReportBody
from gongzhi.parties.notice_kinds import SPECS, Kind


def _estate(code: str) -> Estate:
    return get_object_or_404(
        Estate.objects.select_related("community", "property_company", "owners_committee"),
        code=code[:32],
    )


@login_required
def index(request: HttpRequest) -> HttpResponse:
    estates = access.publishing_estates(request.user).order_by("code")[:500]
    return render(request, "parties/index.html", {"estates": estates})


def _run(action: Action[Any], obj: Any, request: HttpRequest) -> tuple[Any, dict[str, Any]]:
    """Run ``action`` on ``obj`` with the posted form; (result, {}) or (None, failure)."""
    try:
        data = form_input(action.input, request.POST)
        return action.run(obj, request.user, data, {}), {}
    except PermissionDenied as exc:
        raise DjangoPermissionDenied(exc.message) from exc
    except InvalidInput as exc:
        return None, {
            "errors": errors_by_field(exc.errors),
            "failed": action.name,
            "summary": exc.message,
            "error_list": exc.errors,
            "status": 422,
        }
    except DomainError as exc:
        return None, {
            "errors": {"__all__": [exc.message]},
            "failed": action.name,
            "summary": exc.message,
            "error_list": [FieldError("", exc.message)],
            "status": exc.status,
        }


def _notices_page(
    request: HttpRequest, estate: Estate, failure: dict[str, Any] | None = None
) -> HttpResponse:
    if not access.can_publish(request.user, estate):
        raise Http404(_("未找到，或无权查看"))
    notices = list(selectors.estate_notices(estate).order_by("kind", "-created_at"))
    for n in notices:
        n.status_label = selectors.status(n)  # type: ignore[attr-defined]
        n.offered = actions.notice_offered(request.user, n)  # type: ignore[attr-defined]
        n.rows_text = "\n".join(  # type: ignore[attr-defined]
            " | ".join(row.get(c.key, "") for c in SPECS[n.kind].columns) for row in n.rows
        )
    parties = actions.publish_parties(request.user, estate)
    context = {
        "estate": estate,
        "groups": selectors.grouped(notices),
        "kinds": [(k.value, k.label, SPECS[k].columns, SPECS[k].long_term) for k in Kind],
        "parties": [(p, Party(p).label) for p in parties],
        "posted": request.POST if failure else {},
        **(failure or {}),
    }
    status = (failure or {}).get("status", 200)
    return render(request, "parties/estate_notices.html", context, status=status)


@login_required
def estate_notices(request: HttpRequest, code: str) -> HttpResponse:
    return _notices_page(request, _estate(code))


@login_required
@require_POST
def publish(request: HttpRequest, code: str) -> HttpResponse:
    estate = _estate(code)
    if not access.can_publish(request.user, estate):
        raise Http404(_("未找到，或无权查看"))
    action = actions.ESTATE_ACTIONS.get("publish")
    assert action is not None
    _result, failure = _run(action, estate, request)
    if failure:
        return _notices_page(request, estate, failure)
    messages.success(request, str(action.done))
    return redirect("parties:estate_notices", code=estate.code)


@login_required
@require_POST
def notice_act(request: HttpRequest, pk: int, name: str) -> HttpResponse:
    notice = get_object_or_404(Notice.objects.select_related("estate__community"), pk=pk)
    action = actions.NOTICE_ACTIONS.get(name.replace("-", "_"))
    if action is None or not access.can_publish(request.user, notice.estate):
        raise Http404(_("未找到，或无权查看"))
    _result, failure = _run(action, notice, request)
    if failure:
        failure["failed_notice"] = notice.pk
        return _notices_page(request, notice.estate, failure)
    messages.success(request, str(action.done))
    return redirect("parties:estate_notices", code=notice.estate.code)


def notice_history(request: HttpRequest, pk: int) -> HttpResponse:
    """Public: one notice with every version before and after it."""
    notice = get_object_or_404(Notice.objects.select_related("estate", "unit"), pk=pk)
    chain = selectors.history(notice)
    for n in chain:
        n.status_label = selectors.status(n)  # type: ignore[attr-defined]
    columns = [(c.key, str(c.label)) for c in SPECS[notice.kind].columns]
    return render(
        request,
        "parties/notice_history.html",
        {"notice": notice, "chain": chain, "columns": columns, "estate": notice.estate},
    )


# ---------------------------------------------------------------- circulars


@login_required
def circulars(request: HttpRequest) -> HttpResponse:
    """The user's units' received circulars (unread and urgent first) and the circulars
    they sent or oversee, each with how many recipients have not read it."""
    return render(
        request,
        "parties/circulars.html",
        {
            "received": list(selectors.received(request.user)[:200]),
            "listed": list(selectors.sent_and_overseen(request.user)[:200]),
            "estates": [
                e
                for e in access.publishing_estates(request.user).order_by("code")[:200]
                if access.can_send(request.user, e)
            ],
        },
    )


def _send_page(
    request: HttpRequest, estate: Estate, failure: dict[str, Any] | None = None
) -> HttpResponse:
    senders = actions.send_parties(request.user, estate)
    if not senders:
        raise Http404(_("未找到，或无权查看"))
    context = {
        "estate": estate,
        "senders": [(p, Party(p).label) for p in senders],
        "targets": [(p.value, p.label) for p in access.CIRCULAR_PARTIES],
        "posted": request.POST if failure else {},
        "posted_to": request.POST.getlist("to_parties") if failure else [],
        **(failure or {}),
    }
    return render(
        request, "parties/circular_new.html", context, status=(failure or {}).get("status", 200)
    )


@login_required
def circular_new(request: HttpRequest, code: str) -> HttpResponse:
    estate = _estate(code)
    if request.method != "POST":
        return _send_page(request, estate)
    if not access.can_send(request.user, estate):
        raise Http404(_("未找到，或无权查看"))
    action = actions.ESTATE_ACTIONS.get("circular_send")
    assert action is not None
    result, failure = _run(action, estate, request)
    if failure:
        return _send_page(request, estate, failure)
    messages.success(request, str(action.done))
    return redirect("parties:circular", pk=result.pk)


@login_required
def circular_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """Opening a circular records the read receipt of the reader's units."""
    from gongzhi.common.errors import NotFound
    from gongzhi.parties import services as s

    try:
        circular = access.circular_for(request.user, pk)
    except NotFound as exc:
        raise Http404(exc.message) from exc
    if "read" in actions.circular_offered(request.user, circular):
        s.circular_read(actor=request.user, circular=circular)  # type: ignore[arg-type]
    receipts = selectors.receipts_of(circular)
    return render(
        request,
        "parties/circular_detail.html",
        {
            "circular": circular,
            "receipts": receipts if access.sees_receipts(request.user, circular) else None,
            "unread_receipts": [r for r in receipts if r.read_at is None],
        },
    )


# ---------------------------------------------------------------- reports


@login_required
def reports(request: HttpRequest) -> HttpResponse:
    overdue = request.GET.get("overdue") == "1"
    rows = list(selectors.reports(request.user, overdue=overdue)[:300])
    for r in rows:
        r.is_overdue = selectors.is_overdue(r)  # type: ignore[attr-defined]
    estates = [
        e
        for e in access.publishing_estates(request.user).order_by("code")[:100]
        if "report_file" in actions.estate_offered(request.user, e)
    ]
    return render(
        request,
        "parties/reports.html",
        {"reports": rows, "overdue": overdue, "estates": estates},
    )


def _report_form_input(request: HttpRequest) -> Any:
    """The page's report form as the API's body, validated by the same schema."""
    from pydantic import ValidationError

    from gongzhi.common.errors import pydantic_field_errors
    from gongzhi.parties.schemas import ReportIn

    fields = {
        key.removeprefix("f_"): str(value).strip()
        for key, value in request.POST.items()
        if key.startswith("f_")
    }
    body = {
        "kind": request.POST.get("kind", ""),
        "filer_party": request.POST.get("filer_party", ""),
        "fields": fields,
    }
    try:
        return ReportIn.model_validate(body)
    except ValidationError as exc:
        raise InvalidInput(errors=pydantic_field_errors(exc.errors())) from exc


@login_required
def report_new(request: HttpRequest, code: str) -> HttpResponse:
    from gongzhi.parties.report_kinds import SPECS as REPORT_SPECS
    from gongzhi.parties.report_kinds import ReportKind

    estate = _estate(code)
    if "report_file" not in actions.estate_offered(request.user, estate):
        raise Http404(_("未找到，或无权查看"))
    kind = request.POST.get("kind") or request.GET.get("kind") or ReportKind.COMPANY_CHANGE
    if kind not in ReportKind.values:
        kind = ReportKind.COMPANY_CHANGE
    failure: dict[str, Any] = {}
    if request.method == "POST":
        action = actions.ESTATE_ACTIONS.get("report_file")
        assert action is not None
        try:
            data = _report_form_input(request)
            report = action.run(estate, request.user, data, {})
        except PermissionDenied as exc:
            raise DjangoPermissionDenied(exc.message) from exc
        except InvalidInput as exc:
            failure = {"summary": exc.message, "error_list": exc.errors, "status": 422}
        except DomainError as exc:
            failure = {"summary": exc.message, "error_list": [], "status": exc.status}
        else:
            messages.success(request, str(action.done))
            return redirect("parties:report", pk=report.pk)
    spec = REPORT_SPECS[kind]
    posted = request.POST if failure else {}
    context = {
        "estate": estate,
        "kind": kind,
        "kinds": ReportKind.choices,
        "spec": spec,
        "reach_labels": [str(ReportBody(p).label) for p in spec.reach],
        "fields": [(f, posted.get(f"f_{f.key}", "")) for f in spec.fields],
        "parties": [(p, Party(p).label) for p in actions.publish_parties(request.user, estate)],
        "posted": posted,
        **failure,
    }
    return render(request, "parties/report_new.html", context, status=failure.get("status", 200))


def _report_page(
    request: HttpRequest, report: Any, failure: dict[str, Any] | None = None
) -> HttpResponse:
    context = {
        "report": report,
        "rows": selectors.report_rows(report),
        "reached": selectors.report_reached(report),
        "unreached": selectors.report_unreached(report),
        "offered": actions.report_offered(request.user, report),
        "overdue": selectors.is_overdue(report),
        **(failure or {}),
    }
    return render(
        request, "parties/report_detail.html", context, status=(failure or {}).get("status", 200)
    )


def _report(request: HttpRequest, pk: int) -> Any:
    from gongzhi.common.errors import NotFound

    try:
        return access.report_for(request.user, pk)
    except NotFound as exc:
        raise Http404(exc.message) from exc


@login_required
def report_detail(request: HttpRequest, pk: int) -> HttpResponse:
    return _report_page(request, _report(request, pk))


@login_required
@require_POST
def report_act(request: HttpRequest, pk: int, name: str) -> HttpResponse:
    report = _report(request, pk)
    action = actions.REPORT_ACTIONS.get(name)
    if action is None:
        raise Http404(_("未知操作"))
    _result, failure = _run(action, report, request)
    if failure:
        return _report_page(request, report, failure)
    messages.success(request, str(action.done))
    return redirect("parties:report", pk=report.pk)


# ---------------------------------------------------------------- custody


def _custody_page(
    request: HttpRequest, estate: Estate, failure: dict[str, Any] | None = None
) -> HttpResponse:
    from gongzhi.org.models import Unit

    rows = selectors.custodies(estate)
    for c in rows:
        c.offered = actions.custody_offered(request.user, c)  # type: ignore[attr-defined]
    units = access.party_units(estate)
    candidates = Unit.objects.filter(
        pk__in=units[Party.STREET] + units[Party.RESIDENTS_COMMITTEE]
    ) | Unit.objects.filter(kind_id="property_company", is_active=True)
    context = {
        "estate": estate,
        "custodies": rows,
        "offered": actions.estate_offered(request.user, estate),
        "kinds": Custody.CustodianKind.choices,
        "candidates": candidates.order_by("kind__sort", "name")[:100],
        "companies": Unit.objects.filter(kind_id="property_company", is_active=True).order_by(
            "name"
        )[:100],
        "posted": request.POST if failure else {},
        **(failure or {}),
    }
    return render(
        request, "parties/custody.html", context, status=(failure or {}).get("status", 200)
    )


@login_required
def custody(request: HttpRequest, code: str) -> HttpResponse:
    estate = _estate(code)
    if request.method != "POST":
        return _custody_page(request, estate)
    if "custody_start" not in actions.estate_offered(request.user, estate):
        raise Http404(_("未找到，或无权查看"))
    action = actions.ESTATE_ACTIONS.get("custody_start")
    assert action is not None
    _result, failure = _run(action, estate, request)
    if failure:
        return _custody_page(request, estate, failure)
    messages.success(request, str(action.done))
    return redirect("parties:custody", code=estate.code)


@login_required
@require_POST
def custody_hand_over(request: HttpRequest, pk: int) -> HttpResponse:
    return custody_act(request, pk, "hand_over")


@login_required
@require_POST
def custody_act(request: HttpRequest, pk: int, name: str) -> HttpResponse:
    found = get_object_or_404(Custody.objects.select_related("estate__community"), pk=pk)
    if not access.can_arrange_custody(request.user, found.estate):
        raise Http404(_("未找到，或无权查看"))
    action = actions.CUSTODY_ACTIONS.get(name)
    if action is None:
        raise Http404(_("未找到，或无权查看"))
    _result, failure = _run(action, found, request)
    if failure:
        return _custody_page(request, found.estate, failure)
    messages.success(request, str(action.done))
    return redirect("parties:custody", code=found.estate.code)


# ---------------------------------------------------------------- utility works


def utility_work(request: HttpRequest, pk: int) -> HttpResponse:
    """Public: one planned works notice. A receiving property company opening it marks its
    inbox entry read."""
    from django.utils import timezone

    from gongzhi.parties.models import UtilityWork

    work = get_object_or_404(UtilityWork.objects.select_related("utility"), pk=pk)
    if request.user.is_authenticated:
        access.my_work_receipts(request.user).filter(work=work, read_at__isnull=True).update(
            read_at=timezone.now()
        )
    return render(
        request,
        "parties/utility_work.html",
        {"work": work, "estates": list(work.estates.order_by("code"))},
    )


# ---------------------------------------------------------------- PDFs


def _pdf(data: bytes, name: str) -> HttpResponse:
    response = HttpResponse(data, content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="{name}.pdf"'
    return response


@login_required
def circular_pdf(request: HttpRequest, pk: int) -> HttpResponse:
    """The circular on paper; its receipts only for those who see them on the page."""
    from gongzhi.common.errors import NotFound
    from gongzhi.parties.pdf import circular_pdf as make

    try:
        circular = access.circular_for(request.user, pk)
    except NotFound as exc:
        raise Http404(exc.message) from exc
    receipts = (
        selectors.receipts_of(circular) if access.sees_receipts(request.user, circular) else None
    )
    return _pdf(make(circular, receipts), f"circular-{circular.pk}")


@login_required
def report_pdf(request: HttpRequest, pk: int) -> HttpResponse:
    from gongzhi.parties.pdf import report_pdf as make

    report = _report(request, pk)
    recipients = selectors.report_reached(report)
    return _pdf(make(report, selectors.report_rows(report), recipients), f"report-{report.pk}")
