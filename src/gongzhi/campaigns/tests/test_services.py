"""Campaign services: the form as data, a survey's field-level errors, concurrent edits,
who may fill which estate, progress reports on time and late."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from gongzhi.campaigns import services as s
from gongzhi.campaigns.models import Campaign, ProgressReport, Survey
from gongzhi.common.errors import Conflict, InvalidInput, PermissionDenied

VALID = {
    "fee_basis": "政府指导价",
    "fee_public": "是",
    "accounts_public": "否",
    "checked_on": "2026-10-30",
}


def _fields(exc: Any) -> dict[str, str]:
    return {e.field: e.message for e in exc.value.errors}


def test_start_refuses_bad_definitions_field_by_field(demo: Any) -> None:
    with pytest.raises(InvalidInput) as exc:
        s.campaign_start(
            actor=demo.users["office"],
            jurisdiction=demo.county,
            title="",
            basis="",
            starts=dt.date(2026, 11, 1),
            ends=dt.date(2026, 10, 1),
            survey_due=dt.date(2026, 11, 5),
            report_dues=[],
            fields="- {key: a, label: 甲, kind: text}\n- {key: A!, label: 乙, kind: colour}\n"
            "- {key: c, label: 丙, kind: choice}\n- {key: a, label: 甲, kind: date}",
            classes="",
        )
    got = _fields(exc)
    assert set(got) >= {
        "title",
        "ends",
        "survey_due",
        "fields[1].key",
        "fields[1].kind",
        "fields[2].choices",
        "fields",
        "classes",
    }
    assert not Campaign.objects.filter(title="").exists()


def test_start_is_for_the_office_of_the_jurisdiction(demo: Any) -> None:
    with pytest.raises(PermissionDenied):
        s.campaign_start(
            actor=demo.users["jiedao"],
            jurisdiction=demo.county,
            title="x",
            basis="",
            starts=dt.date(2026, 11, 1),
            ends=dt.date(2026, 12, 1),
            survey_due=dt.date(2026, 11, 5),
            report_dues=[],
            fields=[{"key": "a", "label": "甲", "kind": "text"}],
            classes=["已规范"],
        )


def test_survey_errors_name_each_field_and_change_nothing(demo: Any, campaign: Campaign) -> None:
    estate = demo.estates["JX-E003"]
    with pytest.raises(InvalidInput) as exc:
        s.survey_submit(
            actor=demo.users["jiedao"],
            campaign=campaign,
            estate=estate,
            classification="很好",
            values={"fee": "一块二", "fee_basis": "随便", "fee_public": "也许", "extra": "1"},
        )
    got = _fields(exc)
    assert "认定类型应为以下之一" in got["classification"]
    assert got["values.fee"].endswith("应为数字")
    assert "政府指导价" in got["values.fee_basis"]
    assert "是”或“否" in got["values.fee_public"]
    assert got["values.checked_on"].endswith("必填")
    assert "values.extra" in got
    assert not Survey.objects.filter(campaign=campaign, estate=estate).exists()


def test_concurrent_edits_do_not_lose_an_update(demo: Any, campaign: Campaign) -> None:
    survey = Survey.objects.get(campaign=campaign, estate=demo.estates["JX-E001"])
    read = survey.version
    s.survey_submit(
        actor=demo.users["jiedao"],
        campaign=campaign,
        estate=survey.estate,
        classification="整改中",
        values=VALID,
        expected_version=read,
    )
    with pytest.raises(Conflict):
        s.survey_submit(
            actor=demo.users["juweihui"],
            campaign=campaign,
            estate=survey.estate,
            classification="已整改",
            values=VALID,
            expected_version=read,
        )
    with pytest.raises(Conflict):  # a "new" survey of an estate already surveyed
        s.survey_submit(
            actor=demo.users["juweihui"],
            campaign=campaign,
            estate=survey.estate,
            classification="已整改",
            values=VALID,
        )
    survey.refresh_from_db()
    assert (survey.classification, survey.version) == ("整改中", read + 1)
    assert survey.values["fee_public"] is True and survey.values["accounts_public"] is False


def test_fillers_fill_only_their_area(demo: Any, campaign: Campaign) -> None:
    # 何丽's residents' committee (建设路社区) fills 老粮局宿舍, not 嘉宁小区 or 卧龙山庄.
    done = s.survey_submit(
        actor=demo.users["juweihui"],
        campaign=campaign,
        estate=demo.estates["JX-E003"],
        classification="需整改",
        values=VALID,
    )
    assert done.unit is not None and done.unit.name.startswith("建设路社区")
    for code in ("JX-E002", "JX-E004"):
        with pytest.raises(PermissionDenied):
            s.survey_submit(
                actor=demo.users["juweihui"],
                campaign=campaign,
                estate=demo.estates[code],
                classification="需整改",
                values=VALID,
            )
    with pytest.raises(PermissionDenied):  # 嘉祥街道 does not fill 卧龙山街道's estate
        s.survey_submit(
            actor=demo.users["jiedao"],
            campaign=campaign,
            estate=demo.estates["JX-E004"],
            classification="需整改",
            values=VALID,
        )
    with pytest.raises(PermissionDenied):
        s.survey_submit(
            actor=demo.users["wuye"],
            campaign=campaign,
            estate=demo.estates["JX-E001"],
            classification="需整改",
            values=VALID,
        )


def test_progress_report_late_refiled_and_other_street_refused(
    demo: Any, campaign: Campaign
) -> None:
    second = dt.date.fromisoformat(campaign.report_dues[1])
    report = s.progress_report_file(
        actor=demo.users["jiedao"],
        campaign=campaign,
        street=demo.jurisdictions["嘉祥街道"],
        due=second,
        situation="甲",
        measures="乙",
        problems="丙",
    )
    with pytest.raises(Conflict):
        s.progress_report_file(
            actor=demo.users["jiedao"],
            campaign=campaign,
            street=demo.jurisdictions["嘉祥街道"],
            due=second,
            situation="甲2",
            measures="乙",
            problems="丙",
        )
    s.progress_report_file(
        actor=demo.users["jiedao"],
        campaign=campaign,
        street=demo.jurisdictions["嘉祥街道"],
        due=second,
        situation="甲2",
        measures="乙",
        problems="丙",
        expected_version=report.version,
    )
    assert ProgressReport.objects.get(pk=report.pk).situation == "甲2"
    with pytest.raises(PermissionDenied):
        s.progress_report_file(
            actor=demo.users["jiedao"],
            campaign=campaign,
            street=demo.jurisdictions["万张街道"],
            due=second,
            situation="甲",
            measures="乙",
            problems="丙",
        )
    with pytest.raises(InvalidInput) as exc:
        s.progress_report_file(
            actor=demo.users["jiedao"],
            campaign=campaign,
            street=demo.jurisdictions["嘉祥街道"],
            due=second + dt.timedelta(days=1),
            situation=" ",
            measures="乙",
            problems="丙",
        )
    assert set(_fields(exc)) == {"due", "situation"}


def test_form_edit_checks_the_version(demo: Any, campaign: Campaign) -> None:
    fields = [*campaign.fields, {"key": "households", "label": "户数", "kind": "number"}]
    done = s.campaign_form_edit(
        actor=demo.users["office"],
        campaign=campaign,
        expected_version=campaign.version,
        fields=fields,
        classes=campaign.classes,
    )
    assert done.fields[-1]["key"] == "households"
    with pytest.raises(Conflict):
        s.campaign_form_edit(
            actor=demo.users["office"],
            campaign=campaign,
            expected_version=campaign.version - 1,
            fields=fields,
            classes=campaign.classes,
        )
    with pytest.raises(PermissionDenied):
        s.campaign_form_edit(
            actor=demo.users["jiedao"],
            campaign=campaign,
            expected_version=done.version,
            fields=fields,
            classes=campaign.classes,
        )
