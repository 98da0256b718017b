"""The reporter's private link (issue 11 item 3): whoever reported a case — by phone, at
the window, or on the web without an account — gets the ledger number and a signed link,
on screen and by SMS. The link shows the case's progress, the reporter's own photos and
the unit's evidence (labelled), and, when the result is fed back, the rating form; a
dissatisfied rating sends the case back to its unit once (GONGZHI_REOPEN_LIMIT), then to
the office for review. The link also stops the SMS. Who the link holder is, and what they
may do, is asked of ``access`` (``case_for_follow_token``, ``ReporterLink``) and the
workflow table."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from gongzhi.cases import access, actions, workflow
from gongzhi.cases import services as s
from gongzhi.cases.display import state_label
from gongzhi.cases.models import Attachment, Case, Rating
from gongzhi.common.actions import errors_by_field
from gongzhi.common.errors import DomainError, InvalidInput
from gongzhi.common.uploads import thumbnail_open
from gongzhi.notify.services import optout_add

# The files the reporter sees, with the label each gets.
REPORTER_FILES = {
    "report": gettext_lazy("您提交的材料"),
    "evidence": gettext_lazy("办理单位的办结凭证"),
    "photo": gettext_lazy("办理单位的现场照片"),
}


def _case(token: str) -> tuple[Case, access.ReporterLink]:
    case = access.case_for_follow_token(token)
    if case is None:
        raise Http404(_("链接无效或已失效"))
    return case, access.ReporterLink(case_id=case.pk)


def follow(request: HttpRequest, token: str) -> HttpResponse:
    case, link = _case(token)
    return _page(request, token, case, link)


def _page(
    request: HttpRequest,
    token: str,
    case: Case,
    link: access.ReporterLink,
    *,
    errors: dict[str, list[str]] | None = None,
    status: int = 200,
) -> HttpResponse:
    text = access.case_text(case, True)
    events = case.events.exclude(to_state="").order_by("id")
    files = [
        {"att": a, "label": REPORTER_FILES[a.purpose]}
        for a in case.attachments.filter(purpose__in=list(REPORTER_FILES)).order_by("id")
    ]
    ctx = workflow.Ctx(case, link)
    context: dict[str, Any] = {
        "case": case,
        "token": token,
        "text": text,
        "reporter_name": access.mask_name(case.reporter_name),
        "reporter_phone": access.mask_phone(case.reporter_phone),
        "steps": [
            {
                "label": e.get_action_display(),
                "to_label": state_label(e.to_state),
                "at": e.created_at,
            }
            for e in events
            if e.from_state != e.to_state
        ],
        "files": files,
        "can_rate": "rate" in actions.available(ctx, among=("rate",)),
        "ratings": Rating.choices,
        "errors": errors or {},
        "v": request.POST if request.method == "POST" else {},
    }
    return render(request, "cases/follow.html", context, status=status)


@require_POST
def follow_rate(request: HttpRequest, token: str) -> HttpResponse:
    case, link = _case(token)
    try:
        s.case_rate(
            case=case,
            actor=link,
            rating=request.POST.get("rating", "")[:20],
            reason=request.POST.get("reason", "")[:2000],
        )
    except InvalidInput as exc:
        return _page(
            request, token, case, link, errors=errors_by_field(exc.errors), status=exc.status
        )
    except DomainError as exc:
        return _page(
            request, token, case, link, errors={"__all__": [exc.message]}, status=exc.status
        )
    messages.success(request, _("感谢您的评价"))
    return redirect("cases:follow", token=token)


@require_POST
def follow_stop(request: HttpRequest, token: str) -> HttpResponse:
    case, _link = _case(token)
    if case.reporter_phone:
        optout_add(
            channel="sms",
            address=case.reporter_phone,
            source=_("链接退订 %(number)s") % {"number": case.number},
        )
    messages.success(request, _("已退订，今后不再向您的手机发送短信"))
    return redirect("cases:follow", token=token)


def follow_file(request: HttpRequest, token: str, pk: int) -> HttpResponseBase:
    case, _link = _case(token)
    att = Attachment.objects.filter(pk=pk, case=case, purpose__in=list(REPORTER_FILES)).first()
    if att is None:
        raise Http404(_("附件不存在"))
    response: HttpResponseBase
    if request.GET.get("thumb") and att.kind == Attachment.Kind.PHOTO:
        thumb = thumbnail_open(sha256=att.sha256, open_original=lambda: att.file.open("rb"))
        if thumb is None:
            raise Http404(_("图片无法预览"))
        response = FileResponse(thumb, content_type="image/jpeg")
    else:
        response = FileResponse(att.file.open("rb"), content_type=att.content_type)
        response["Content-Disposition"] = f'inline; filename="{att.sha256[:16]}"'
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, max-age=3600"
    response["Referrer-Policy"] = "no-referrer"
    return response
