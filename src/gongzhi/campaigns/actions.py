"""The one registry of what a user can do with a rectification campaign, through a page or
the API: starting one (on a jurisdiction); editing its form, filling a survey, importing
an .xlsx of surveys and filing a progress report (on a campaign). Whether an action is
offered is access.py's answer; the service asks it again."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from gongzhi.campaigns import access, schemas, services
from gongzhi.campaigns.models import Campaign, ProgressReport, Survey
from gongzhi.common.actions import Action, Files, Registry
from gongzhi.common.errors import FieldError, InvalidInput
from gongzhi.org.models import Estate, Jurisdiction

JURISDICTION_ACTIONS: Registry[Jurisdiction] = Registry("campaigns.jurisdiction")
CAMPAIGN_ACTIONS: Registry[Campaign] = Registry("campaigns.campaign")


def _start(j: Jurisdiction, actor: Any, d: schemas.CampaignIn, f: Files) -> Campaign:
    data = d.model_dump(exclude={"jurisdiction"})
    return services.campaign_start(actor=actor, jurisdiction=j, **data)


def _form_edit(c: Campaign, actor: Any, d: schemas.FormIn, f: Files) -> Campaign:
    return services.campaign_form_edit(
        actor=actor,
        campaign=c,
        expected_version=d.expected_version,
        fields=d.fields,
        classes=d.classes,
    )


def _estate(campaign: Campaign, code: str) -> Estate:
    estate = access.campaign_estates(campaign).filter(code=code[:32]).first()
    if estate is None:
        raise InvalidInput(errors=[FieldError("estate", _("不是本次摸排范围内的小区"))])
    return estate


def _survey(c: Campaign, actor: Any, d: schemas.SurveyIn, f: Files) -> Survey:
    return services.survey_submit(
        actor=actor,
        campaign=c,
        estate=_estate(c, d.estate),
        classification=d.classification,
        values=d.values,
        expected_version=d.expected_version,
    )


def _import(c: Campaign, actor: Any, d: schemas.ImportIn, f: Files) -> services.ImportResult:
    uploaded = list(f.get("file") or [])
    if not uploaded:
        raise InvalidInput(errors=[FieldError("file", _("请选择 .xlsx 文件"))])
    upload = uploaded[0]
    if upload.size > 5 * 1024 * 1024:
        raise InvalidInput(errors=[FieldError("file", _("文件太大（至多 5 MB）"))])
    return services.surveys_import(
        actor=actor, campaign=c, content=upload.read(), valid_only=d.valid_only
    )


def _report(c: Campaign, actor: Any, d: schemas.ReportIn, f: Files) -> ProgressReport:
    street = access.campaign_streets(c).filter(code=d.street).first()
    if street is None:
        raise InvalidInput(errors=[FieldError("street", _("不是本次整治范围内的街道"))])
    return services.progress_report_file(
        actor=actor,
        campaign=c,
        street=street,
        due=d.due,
        situation=d.situation,
        measures=d.measures,
        problems=d.problems,
        expected_version=d.expected_version,
    )


JURISDICTION_ACTIONS.add(
    Action(
        name="start",
        label=gettext_lazy("发起专项整治"),
        input=schemas.CampaignIn,
        run=_start,
        done=gettext_lazy("已发起专项整治"),
    )
)
for _action in (
    Action(
        name="form_edit",
        label=gettext_lazy("修改摸排表"),
        input=schemas.FormIn,
        run=_form_edit,
        done=gettext_lazy("已保存摸排表"),
    ),
    Action(
        name="survey_submit",
        label=gettext_lazy("填报摸排认定表"),
        input=schemas.SurveyIn,
        run=_survey,
        done=gettext_lazy("已保存摸排认定表"),
    ),
    Action(
        name="surveys_import",
        label=gettext_lazy("导入摸排认定表（.xlsx）"),
        input=schemas.ImportIn,
        run=_import,
        files=("file",),
        done=gettext_lazy("已导入"),
    ),
    Action(
        name="report_file",
        label=gettext_lazy("报送整治进展"),
        input=schemas.ReportIn,
        run=_report,
        done=gettext_lazy("已报送整治进展"),
    ),
):
    CAMPAIGN_ACTIONS.add(_action)


def offered(user: Any, campaign: Campaign) -> list[str]:
    """What ``user`` may do with ``campaign`` now (the page's forms, the API's ``allowed``)."""
    found = []
    if access.manages(user, campaign):
        found.append("form_edit")
    if access.can_fill(user, campaign):
        found += ["survey_submit", "surveys_import"]
    if access.reporting_streets(user, campaign) and campaign.report_dues:
        found.append("report_file")
    return found


def run(name: str, campaign: Campaign, user: Any, data: Any, files: Files) -> Any:
    action = CAMPAIGN_ACTIONS.get(name)
    assert action is not None, name
    return action.run(campaign, user, data, files)
