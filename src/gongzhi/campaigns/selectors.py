"""Reads of a campaign: the returns by street (estates surveyed and not, the classes given,
each progress report on time, late, missing or not yet due), and the rows a reader may
export. Callers pass querysets already scoped by access.py."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from gongzhi.campaigns import access
from gongzhi.campaigns.models import Campaign, ProgressReport, Survey
from gongzhi.org.models import Estate, Jurisdiction

REPORT_STATUS = {
    "on_time": _("按时报送"),
    "late": _("逾期报送"),
    "missing": _("逾期未报"),
    "not_due": _("未到期"),
}


@dataclass
class ReportSlot:
    due: dt.date
    report: ProgressReport | None
    status: str

    @property
    def status_label(self) -> str:
        return str(REPORT_STATUS[self.status])


@dataclass
class StreetReturn:
    street: Jurisdiction
    estates: list[Estate] = field(default_factory=list)
    surveyed: list[Survey] = field(default_factory=list)
    missing: list[Estate] = field(default_factory=list)
    classes: dict[str, int] = field(default_factory=dict)
    reports: list[ReportSlot] = field(default_factory=list)

    @property
    def complete(self) -> bool:
        return not self.missing and all(s.status != "missing" for s in self.reports)


def report_dues(campaign: Campaign) -> list[dt.date]:
    return [dt.date.fromisoformat(d) for d in campaign.report_dues]


def report_status(due: dt.date, report: ProgressReport | None, today: dt.date) -> str:
    if report is not None:
        return "late" if timezone.localtime(report.filed_at).date() > due else "on_time"
    return "missing" if today > due else "not_due"


def surveys_by_estate(surveys: list[Survey]) -> dict[int, Survey]:
    return {s.estate_id: s for s in surveys}


def returns_by_street(
    campaign: Campaign,
    estates: list[Estate],
    surveys: list[Survey],
    reports: list[ProgressReport],
    today: dt.date | None = None,
) -> list[StreetReturn]:
    """One row per street of the campaign that the reader sees (a street with no estate
    still shows, with its reports)."""
    today = today or timezone.localdate()
    by_estate = surveys_by_estate(surveys)
    streets = {j.pk: StreetReturn(street=j) for j in access.campaign_streets(campaign)}
    for estate in estates:
        street = estate.community.parent
        if street is None or street.pk not in streets:
            continue
        row = streets[street.pk]
        row.estates.append(estate)
        s = by_estate.get(estate.pk)
        if s is None:
            row.missing.append(estate)
        else:
            row.surveyed.append(s)
            row.classes[s.classification] = row.classes.get(s.classification, 0) + 1
    filed = {(r.street_id, r.due): r for r in reports}
    for row in streets.values():
        for due in report_dues(campaign):
            got = filed.get((row.street.pk, due))
            row.reports.append(ReportSlot(due, got, report_status(due, got, today)))
    return list(streets.values())


def visible_returns(
    user: object, campaign: Campaign, today: dt.date | None = None
) -> list[StreetReturn]:
    """The returns ``user`` may see: every street for the office, conveners and auditors;
    a street office its street; a residents' committee its community's estates."""
    estates = (
        list(access.fillable_estates(user, campaign))
        if not access.reads_all(user, campaign)
        else list(access.campaign_estates(campaign))
    )
    surveys = list(access.readable_surveys(user, campaign))
    reports = list(access.readable_reports(user, campaign))
    rows = returns_by_street(campaign, estates, surveys, reports, today)
    if access.reads_all(user, campaign):
        return rows
    return [r for r in rows if r.estates or any(s.report for s in r.reports)]


def export_rows(
    user: object, campaign: Campaign
) -> tuple[list[Estate], dict[int, Survey], list[ProgressReport]]:
    """What the export holds for ``user`` (the office: everything)."""
    if access.reads_all(user, campaign):
        estates = access.campaign_estates(campaign)
    else:
        estates = access.fillable_estates(user, campaign)
    ordered = list(estates.order_by("community__path", "code"))
    surveys = surveys_by_estate(list(access.readable_surveys(user, campaign)))
    return ordered, surveys, list(access.readable_reports(user, campaign))
