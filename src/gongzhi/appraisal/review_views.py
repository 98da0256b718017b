"""Pages of the democratic appraisal: the street's list and campaign page (standard, codes,
quorum, results with evidence, objections, approval), the rater's page (a one-time code,
no account, made for a phone), and the posted results (public, units and scores only)."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from gongzhi.appraisal import review_access as ra
from gongzhi.appraisal import services as s
from gongzhi.appraisal.models import Campaign, RaterCode, ReviewReport
from gongzhi.appraisal.review_actions import registry
from gongzhi.appraisal.review_files import standard_rows
from gongzhi.appraisal.review_results import evidence, results
from gongzhi.common.actions import form_input
from gongzhi.common.errors import DomainError, FieldError, InvalidInput, NotFound, PermissionDenied
from gongzhi.org.models import Jurisdiction
from gongzhi.org.permissions import scope_for

MAX_ROWS = 12


def _campaign(request: HttpRequest, pk: int) -> Campaign:
    try:
        return ra.campaign_for(request.user, pk)
    except NotFound as exc:
        raise Http404(exc.message) from exc


def _streets(user: Any) -> list[Jurisdiction]:
    streets = Jurisdiction.objects.filter(level=Jurisdiction.Level.STREET).order_by("code")
    if not scope_for(user).is_authenticated:
        return []
    return [j for j in streets if ra.manages(user, j)]


def _run(request: HttpRequest, fn: Any) -> tuple[Any, dict[str, Any], int]:
    try:
        return fn(), {}, 200
    except PermissionDenied as exc:
        raise DjangoPermissionDenied(exc.message) from exc
    except NotFound as exc:
        raise Http404(exc.message) from exc
    except InvalidInput as exc:
        return None, {"errors": exc.errors, "summary": exc.message}, 422
    except DomainError as exc:
        return None, {"errors": [FieldError("", exc.message)], "summary": exc.message}, exc.status


@login_required
def review_list(request: HttpRequest) -> HttpResponse:
    extra: dict[str, Any] = {}
    status = 200
    streets = _streets(request.user)
    if request.method == "POST":
        street = next((j for j in streets if str(j.pk) == request.POST.get("street")), None)
        if street is None:
            raise Http404(_("街道不存在或无权组织评议"))

        def create() -> Campaign:
            try:
                year = int(request.POST.get("year", ""))
                quorum = int(request.POST.get("quorum", "1"))
                days = int(request.POST.get("objection_days", "7"))
            except ValueError as exc:
                raise InvalidInput(
                    errors=[FieldError("year", _("年度、人数和天数应为整数"))]
                ) from exc
            return s.campaign_create(
                street=street, year=year, quorum=quorum, objection_days=days, actor=request.user
            )

        campaign, extra, status = _run(request, create)
        if campaign is not None:
            return redirect("appraisal:review", campaign.pk)
    campaigns = ra.readable_campaigns(request.user).order_by("-year", "street__code")
    if not campaigns.exists() and not streets:
        raise Http404(_("没有可查看的评议"))
    context = {"campaigns": campaigns, "streets": streets, **extra}
    return render(request, "appraisal/review_list.html", context, status=status)


def _post(request: HttpRequest, campaign: Campaign) -> tuple[Any, dict[str, Any], int, str]:
    name = request.POST.get("action", "")
    if name == "objection_answer":
        raw = request.POST.get("target", "")
        if not raw.isdigit() or len(raw) > 10:
            raise Http404(_("异议不存在"))
        objection = ra.objection_for(request.user, int(raw))
        answer = request.POST.get("answer", "")
        result, extra, status = _run(
            request,
            lambda: s.review_objection_answer(
                objection=objection, answer=answer, actor=request.user
            ),
        )
        return result, extra, status, _("已答复")
    if name == "report_attach":
        raw = request.POST.get("subject_id", "")
        subject = campaign.subjects.filter(pk=int(raw)).first() if raw.isdigit() else None
        upload = request.FILES.get("file")
        if subject is None or upload is None:
            missing = [FieldError("subject_id" if subject is None else "file", _("请选择"))]
            return None, {"errors": missing}, 422, ""
        result, extra, status = _run(
            request,
            lambda: s.review_report_attach(subject=subject, upload=upload, actor=request.user),
        )
        return result, extra, status, _("述职报告已上传")
    if name == "standard_upload":
        upload = request.FILES.get("file")
        if upload is None:
            return None, {"errors": [FieldError("file", _("请选择 .xlsx 文件"))]}, 422, ""
        content = upload.read()
        result, extra, status = _run(
            request,
            lambda: s.review_standard_set(
                campaign=campaign, rows=standard_rows(content), actor=request.user
            ),
        )
        return result, extra, status, _("评分标准已导入")
    action = registry.get(name)
    if action is None:
        return None, {"errors": [FieldError("action", _("未知操作"))]}, 400, ""
    if name == "standard_set":
        items = []
        for n in range(1, MAX_ROWS + 1):
            title = request.POST.get(f"title_{n}", "").strip()
            if title or request.POST.get(f"weight_{n}", "").strip():
                items.append(
                    s.ItemRow(
                        title,
                        request.POST.get(f"weight_{n}", ""),
                        request.POST.get(f"guide_{n}", ""),
                        request.POST.get(f"measure_{n}", ""),
                        row=n,
                    )
                )
        result, extra, status = _run(
            request,
            lambda: s.review_standard_set(campaign=campaign, rows=items, actor=request.user),
        )
        return result, extra, status, str(action.done)

    def go() -> Any:
        data = form_input(action.input, request.POST)
        return action.run(campaign, request.user, data, {})

    result, extra, status = _run(request, go)
    return result, extra, status, str(action.done or action.label)


@login_required
def review_detail(request: HttpRequest, pk: int) -> HttpResponse:
    campaign = _campaign(request, pk)
    if request.method == "GET" and request.GET.get("format") == "xlsx":
        from gongzhi.appraisal.social_exports import XLSX, review_xlsx

        response = HttpResponse(review_xlsx(campaign), content_type=XLSX)
        response["Content-Disposition"] = f'attachment; filename="review-{campaign.pk}.xlsx"'
        return response
    extra: dict[str, Any] = {}
    status = 200
    if request.method == "POST":
        result, extra, status, done = _post(request, campaign)
        if status == 200:
            if request.POST.get("action") == "codes_issue":
                campaign.refresh_from_db()
                extra = {"issued": result}  # shown once: only hashes are kept
            else:
                messages.success(request, done)
                return redirect("appraisal:review", campaign.pk)
        campaign.refresh_from_db()
    items = list(campaign.items.all())
    rows = results(campaign)
    found = evidence(campaign)
    files = _report_files(campaign)
    table = [
        (
            r,
            [
                (item, r.items.get(item.pk), found.get((r.subject.pk, item.pk), ""))
                for item in items
            ],
            files.get(r.subject.pk, []),
        )
        for r in rows
    ]
    offered = ra.offered(request.user, campaign)
    blank = range(len(items) + 1, MAX_ROWS + 1) if "standard_set" in offered else range(0)
    context = {
        "campaign": campaign,
        "items": items,
        "blank_rows": blank,
        "table": table,
        "sheets": campaign.sheets.count(),
        "codes": campaign.codes.count(),
        "groups": RaterCode.Group.choices,
        "objections": campaign.objections.select_related("subject__unit", "subject__estate"),
        "subjects": campaign.subjects.select_related("unit", "estate"),
        "offered": offered,
        "measures": Campaign._meta.apps.get_model("appraisal", "ReviewItem").Measure.choices,
        **extra,
    }
    return render(request, "appraisal/review_detail.html", context, status=status)


def _report_files(campaign: Campaign) -> dict[int, list[ReviewReport]]:
    found: dict[int, list[ReviewReport]] = {}
    for f in ReviewReport.objects.filter(subject__campaign=campaign).order_by("created_at"):
        found.setdefault(f.subject_id, []).append(f)
    return found


def review_report(request: HttpRequest, pk: int, report: int) -> HttpResponse | FileResponse:
    """A 述职 report: for the campaign's readers, or a rater with a code of the campaign."""
    found = ReviewReport.objects.select_related("subject__campaign").filter(
        pk=report, subject__campaign_id=pk
    )
    item = found.first()
    if item is None:
        raise Http404(_("文件不存在"))
    code = request.GET.get("code", "").strip()[:20]
    allowed = ra.readable_campaigns(request.user).filter(pk=pk).exists()
    if not allowed and code:
        try:
            allowed = s.review.rater_find(code).campaign_id == pk
        except NotFound:
            allowed = False
    if not allowed:
        raise Http404(_("文件不存在"))
    response = FileResponse(item.file.open("rb"), content_type=item.content_type)
    stored = str(item.file.name or "").rsplit("/", 1)[-1]
    response["Content-Disposition"] = f'inline; filename="{stored}"'
    return response


def review_public(request: HttpRequest, pk: int) -> HttpResponse:
    try:
        campaign = ra.public_campaign(pk)
    except NotFound as exc:
        raise Http404(exc.message) from exc
    context = {
        "campaign": campaign,
        "items": list(campaign.items.all()),
        "rows": results(campaign),
        "sheets": campaign.sheets.count(),
        "objections": campaign.objections.select_related("subject__unit"),
    }
    return render(request, "appraisal/review_public.html", context)


def rate(request: HttpRequest) -> HttpResponse:
    """The rater's page: enter the one-time code, then score every party on every item."""
    code = (request.POST.get("code") or request.GET.get("code") or "").strip()[:20]
    context: dict[str, Any] = {"code": code}
    status = 200
    if not code:
        return render(request, "appraisal/rate.html", context)
    try:
        rater = s.review.rater_find(code)
    except NotFound as exc:
        context.update(errors=[FieldError("code", exc.message)], summary=exc.message)
        return render(request, "appraisal/rate.html", context, status=404)
    campaign = rater.campaign
    if rater.used_at is not None:
        context.update(done=True, campaign=campaign)
        return render(request, "appraisal/rate.html", context)
    if request.method == "POST" and request.POST.get("send"):
        points = {}
        for key, value in request.POST.items():
            if key.startswith("s") and "_i" in key:
                left, right = key[1:].split("_i", 1)
                if left.isdigit() and right.isdigit():
                    points[(int(left), int(right))] = value
        _sheet, extra, status = _run(
            request, lambda: s.review_sheet_submit(code=code, points=points)
        )
        if status == 200:
            context.update(done=True, campaign=campaign, thanks=True)
            return render(request, "appraisal/rate.html", context)
        context.update(extra)
    items = list(campaign.items.all())
    posted = request.POST if request.POST.get("send") else {}
    files = _report_files(campaign)
    grid = [
        (
            subject,
            files.get(subject.pk, []),
            [
                (item, f"s{subject.pk}_i{item.pk}", posted.get(f"s{subject.pk}_i{item.pk}", ""))
                for item in items
            ],
        )
        for subject in campaign.subjects.select_related("unit", "estate")
    ]
    context.update(campaign=campaign, rater=rater, grid=grid)
    return render(request, "appraisal/rate.html", context, status=status)
