"""Every write of a rectification campaign: starting it, editing its form, a survey from
the page or the API, an .xlsx of many surveys, a street's progress report. Each checks
the actor's right (access.py) first, validates every field at once, writes in one
transaction with its audit event, and never loses a concurrent change (a version read
and a conditional update, or the row locked)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from gongzhi.campaigns import access
from gongzhi.campaigns.events import CampaignsEvent
from gongzhi.campaigns.fields import (
    clean_class,
    clean_values,
    definitions,
    parse_text,
    read_definitions,
)
from gongzhi.campaigns.files import read_survey_sheet
from gongzhi.campaigns.models import Campaign, ProgressReport, Survey
from gongzhi.common.audit import audit_record
from gongzhi.common.errors import Conflict, FieldError, InvalidInput, NotFound
from gongzhi.org.models import Estate, Jurisdiction, Unit, User

TEXT_MAX = 5000
# Classes typed as one line are separated by the list comma.
LIST_COMMA = "、"  # i18n: data (a separator users type)


def _definitions(fields: Any, classes: Any) -> tuple[list[dict[str, Any]], list[str]]:
    raw = parse_text(fields) if isinstance(fields, str) else fields
    if isinstance(classes, str):
        parts = classes.replace(LIST_COMMA, "\n").splitlines()
        classes = [c.strip() for c in parts if c.strip()]
    found, names = read_definitions(raw, classes)
    return [f.as_dict() for f in found], names


def _dates_errors(
    starts: dt.date, ends: dt.date, survey_due: dt.date, report_dues: list[dt.date]
) -> list[FieldError]:
    errors = []
    if ends < starts:
        errors.append(FieldError("ends", _("结束日期不能早于开始日期")))
    if not starts <= survey_due <= ends:
        errors.append(FieldError("survey_due", _("摸排上报截止应在整治期内")))
    if any(not starts <= d <= ends for d in report_dues):
        errors.append(FieldError("report_dues", _("进展报告截止日期应在整治期内")))
    return errors


@transaction.atomic
def campaign_start(
    *,
    actor: User,
    jurisdiction: Jurisdiction,
    title: str,
    basis: str,
    starts: dt.date,
    ends: dt.date,
    survey_due: dt.date,
    report_dues: list[dt.date],
    fields: Any,
    classes: Any,
) -> Campaign:
    access.require_start(actor, jurisdiction)
    errors = _dates_errors(starts, ends, survey_due, report_dues)
    if not title.strip():
        errors.append(FieldError("title", _("请填写名称")))
    try:
        stored, names = _definitions(fields, classes)
    except InvalidInput as exc:
        errors.extend(exc.errors)
    if errors:
        raise InvalidInput(errors=errors)
    campaign = Campaign.objects.create(
        jurisdiction=jurisdiction,
        title=title.strip(),
        basis=basis.strip(),
        starts=starts,
        ends=ends,
        survey_due=survey_due,
        report_dues=sorted({d.isoformat() for d in report_dues}),
        fields=stored,
        classes=names,
        created_by=actor,
    )
    audit_record(
        actor=actor,
        action=CampaignsEvent.START,
        target=campaign,
        extra={"jurisdiction": jurisdiction.code, "fields": len(stored), "classes": names},
    )
    return campaign


@transaction.atomic
def campaign_form_edit(
    *, actor: User, campaign: Campaign, expected_version: int, fields: Any, classes: Any
) -> Campaign:
    """Answers already given to a removed field stay stored but are no longer shown."""
    access.require_manage(actor, campaign)
    stored, names = _definitions(fields, classes)
    done = Campaign.objects.filter(pk=campaign.pk, version=expected_version).update(
        fields=stored, classes=names, version=F("version") + 1, updated_at=timezone.now()
    )
    if not done:
        raise Conflict(_("摸排表已被他人修改，请刷新后重试"))
    audit_record(
        actor=actor,
        action=CampaignsEvent.FORM_EDIT,
        target=campaign,
        extra={"fields": [f["key"] for f in stored], "classes": names},
    )
    campaign.refresh_from_db()
    return campaign


def _write_survey(
    *,
    campaign: Campaign,
    estate: Estate,
    values: dict[str, Any],
    classification: str,
    unit: Unit | None,
    actor: User,
    expected_version: int | None,
    source: str,
) -> Survey:
    """Create or update the estate's survey with the row locked; ``expected_version`` None
    overwrites (an import), otherwise a stale version is a conflict."""
    current = Survey.objects.select_for_update().filter(campaign=campaign, estate=estate).first()
    stale = _("%(estate)s的摸排认定表已被他人修改，请刷新后重试") % {"estate": estate.name}
    if current is None:
        if expected_version not in (None, 0):
            raise Conflict(stale)
        try:
            with transaction.atomic():
                survey = Survey.objects.create(
                    campaign=campaign,
                    estate=estate,
                    values=values,
                    classification=classification,
                    unit=unit,
                    filled_by=actor,
                )
        except IntegrityError as exc:  # another writer created it first
            raise Conflict(stale) from exc
        old_class = ""
    else:
        if expected_version is not None and current.version != expected_version:
            raise Conflict(stale)
        old_class = current.classification
        done = Survey.objects.filter(pk=current.pk, version=current.version).update(
            values=values,
            classification=classification,
            unit=unit,
            filled_by=actor,
            version=F("version") + 1,
            updated_at=timezone.now(),
        )
        if not done:  # a database without row locks (SQLite): the version still guards
            raise Conflict(stale)
        survey = Survey.objects.get(pk=current.pk)
    audit_record(
        actor=actor,
        action=CampaignsEvent.SURVEY_SUBMIT,
        target=survey,
        unit=unit,
        from_state=old_class,
        to_state=classification,
        extra={"campaign": campaign.pk, "estate": estate.code, "source": source},
    )
    return survey


@transaction.atomic
def survey_submit(
    *,
    actor: User,
    campaign: Campaign,
    estate: Estate,
    classification: str,
    values: dict[str, Any],
    expected_version: int = 0,
) -> Survey:
    unit = access.require_fill(actor, campaign, estate)
    fields = definitions(campaign.fields)
    clean, errors = clean_values(fields, values)
    got = clean_class(campaign.classes, classification)
    if got is None:
        errors.insert(
            0,
            FieldError(
                "classification",
                _("认定类型应为以下之一：%(c)s") % {"c": _("、").join(campaign.classes)},
            ),
        )
    if errors:
        raise InvalidInput(errors=errors)
    assert got is not None
    return _write_survey(
        campaign=campaign,
        estate=estate,
        values=clean,
        classification=got,
        unit=unit,
        actor=actor,
        expected_version=expected_version,
        source="form",
    )


@dataclass
class ImportResult:
    imported: int = 0
    skipped_rows: list[int] = field(default_factory=list)
    errors: list[FieldError] = field(default_factory=list)


def _check_rows(
    actor: User, campaign: Campaign, content: bytes
) -> tuple[list[tuple[int, Estate, str, dict[str, Any]]], list[FieldError], set[int]]:
    """The rows that pass, every error with its row and column, and the failed rows."""
    fields = definitions(campaign.fields)
    sheet = read_survey_sheet(content, fields)
    fillable = {e.code: e for e in access.fillable_estates(actor, campaign)}
    code_col = sheet.columns["code"]
    class_col = sheet.columns["class"]
    good: list[tuple[int, Estate, str, dict[str, Any]]] = []
    errors: list[FieldError] = []
    bad: set[int] = set()
    seen: dict[str, int] = {}
    for r in sheet.rows:
        row_errors: list[FieldError] = []
        estate = fillable.get(r.code)
        if not r.code:
            row_errors.append(FieldError("code", _("必填"), row=r.row, column=code_col))
        elif r.code in seen:
            message = _("与第 %(n)s 行重复") % {"n": seen[r.code]}
            row_errors.append(FieldError("code", message, row=r.row, column=code_col))
        elif estate is None:
            message = _("不是本次摸排中您可填报的小区")
            row_errors.append(FieldError("code", message, row=r.row, column=code_col))
        seen.setdefault(r.code, r.row)
        got = clean_class(campaign.classes, r.classification)
        if got is None:
            message = _("应为以下之一：%(c)s") % {"c": _("、").join(campaign.classes)}
            row_errors.append(FieldError("classification", message, row=r.row, column=class_col))
        clean, value_errors = clean_values(fields, r.values, row=r.row, columns=sheet.columns)
        row_errors.extend(value_errors)
        if row_errors or estate is None or got is None:
            errors.extend(row_errors)
            bad.add(r.row)
        else:
            good.append((r.row, estate, got, clean))
    return good, errors, bad


@transaction.atomic
def surveys_import(
    *, actor: User, campaign: Campaign, content: bytes, valid_only: bool = False
) -> ImportResult:
    """An .xlsx of many estates, checked row by row. With any error nothing is imported,
    unless the user chose to import the valid rows (``valid_only``)."""
    if not access.can_fill(actor, campaign):
        raise NotFound(_("未找到，或无权查看"))
    good, errors, bad = _check_rows(actor, campaign, content)
    if not good and not errors:
        raise InvalidInput(errors=[FieldError("file", _("文件中没有数据行"))])
    if errors and not valid_only:
        raise InvalidInput(
            errors=errors,
            summary=_("%(n)s 行有误，未导入任何行；可修改后重新上传，或选择“仅导入无误的行”")
            % {"n": len(bad)},
        )
    if not good:
        raise InvalidInput(errors=errors, summary=_("没有无误的行，未导入"))
    for _row, estate, classification, values in good:
        _write_survey(
            campaign=campaign,
            estate=estate,
            values=values,
            classification=classification,
            unit=access.filler_unit(actor, estate),
            actor=actor,
            expected_version=None,
            source="xlsx",
        )
    result = ImportResult(imported=len(good), skipped_rows=sorted(bad), errors=errors)
    audit_record(
        actor=actor,
        action=CampaignsEvent.SURVEYS_IMPORT,
        target=campaign,
        extra={"imported": [e.code for _r, e, _c, _v in good], "skipped_rows": result.skipped_rows},
    )
    return result


def _report_errors(campaign: Campaign, due: dt.date, texts: dict[str, str]) -> list[FieldError]:
    errors = []
    if due.isoformat() not in campaign.report_dues:
        errors.append(FieldError("due", _("不是本次整治的进展报告截止日期")))
    for name, text in texts.items():
        if not text.strip():
            errors.append(FieldError(name, _("必填")))
        elif len(text) > TEXT_MAX:
            errors.append(FieldError(name, _("太长（至多 %(n)s 字）") % {"n": TEXT_MAX}))
    return errors


@transaction.atomic
def progress_report_file(
    *,
    actor: User,
    campaign: Campaign,
    street: Jurisdiction,
    due: dt.date,
    situation: str,
    measures: str,
    problems: str,
    expected_version: int = 0,
    now: dt.datetime | None = None,
) -> ProgressReport:
    """The street's report for one deadline; filing again replaces it (version checked)."""
    now = now or timezone.now()
    unit = access.require_report(actor, campaign, street)
    texts = {"situation": situation, "measures": measures, "problems": problems}
    errors = _report_errors(campaign, due, texts)
    if errors:
        raise InvalidInput(errors=errors)
    clean = {k: v.strip() for k, v in texts.items()}
    current = (
        ProgressReport.objects.select_for_update()
        .filter(campaign=campaign, street=street, due=due)
        .first()
    )
    stale = _("该期进展报告已被他人修改，请刷新后重试")
    if current is None:
        if expected_version != 0:
            raise Conflict(stale)
        try:
            with transaction.atomic():
                report = ProgressReport.objects.create(
                    campaign=campaign,
                    street=street,
                    due=due,
                    unit=unit,
                    filed_by=actor,
                    filed_at=now,
                    **clean,
                )
        except IntegrityError as exc:
            raise Conflict(stale) from exc
    else:
        if current.version != expected_version:
            raise Conflict(stale)
        done = ProgressReport.objects.filter(pk=current.pk, version=expected_version).update(
            unit=unit, filed_by=actor, filed_at=now, version=F("version") + 1, **clean
        )
        if not done:
            raise Conflict(stale)
        report = ProgressReport.objects.get(pk=current.pk)
    late = timezone.localtime(now).date() > due
    audit_record(
        actor=actor,
        action=CampaignsEvent.REPORT_FILE,
        target=report,
        unit=unit,
        extra={"campaign": campaign.pk, "street": street.code, "due": str(due), "late": late},
    )
    return report
