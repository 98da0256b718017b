"""Pages of the ledger imports: the upload form (the ledgers the account's office may
import into, stats/access.py), the template download; the job page is the jobs' own."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from gongzhi.cases.exports import XLSX_TYPE
from gongzhi.common.errors import InvalidInput, NotFound
from gongzhi.stats import access
from gongzhi.stats.imports.columns import COLUMNS, template_xlsx
from gongzhi.stats.imports.run import import_start


@login_required
def import_page(request: HttpRequest) -> HttpResponse:
    ledgers = list(access.import_ledgers(request.user).order_by("path"))
    if not ledgers:
        raise Http404(_("没有可导入的辖区"))
    context = {"ledgers": ledgers, "columns": COLUMNS}
    if request.method == "POST":
        upload = request.FILES.get("file")
        try:
            if upload is None:
                from gongzhi.common.errors import FieldError

                raise InvalidInput(errors=[FieldError("file", _("请选择文件"))])
            job = import_start(
                owner=request.user,
                jurisdiction=request.POST.get("jurisdiction", ""),
                filename=upload.name or "",
                content=upload,
                valid_only=request.POST.get("valid_only") in ("1", "on", "true"),
            )
        except NotFound as exc:
            raise Http404(exc.message) from exc
        except InvalidInput as exc:
            context["errors"] = [e.as_dict() for e in exc.errors]
            return render(request, "stats/import.html", context, status=422)
        return redirect("stats:job", pk=job.pk)
    return render(request, "stats/import.html", context)


@login_required
def import_template(request: HttpRequest) -> HttpResponse:
    if not access.import_ledgers(request.user).exists():
        raise Http404(_("没有可导入的辖区"))
    response = HttpResponse(template_xlsx(), content_type=XLSX_TYPE)
    response["Content-Disposition"] = 'attachment; filename="ledger-import-template.xlsx"'
    return response
