"""Every write of the appraisal app (one module per sub-area)."""

from gongzhi.appraisal.services.awards import proposal_decide, proposals_generate
from gongzhi.appraisal.services.collect import CollectResult, credit_collect
from gongzhi.appraisal.services.credit import (
    credit_objection_raise,
    credit_objection_rule,
    credit_period_close,
    credit_record_add,
)
from gongzhi.appraisal.services.review import (
    ItemRow,
    campaign_create,
    review_approve,
    review_codes_issue,
    review_objection_answer,
    review_objection_record,
    review_open,
    review_publish,
    review_sheet_submit,
    review_standard_set,
)
from gongzhi.appraisal.services.review_reports import review_report_attach
from gongzhi.appraisal.services.rules import credit_rules_load
from gongzhi.appraisal.services.social import (
    satisfaction_create,
    satisfaction_publish,
    survey_code_send,
    survey_vote,
)

__all__ = [
    "CollectResult",
    "ItemRow",
    "campaign_create",
    "credit_collect",
    "credit_objection_raise",
    "credit_objection_rule",
    "credit_period_close",
    "credit_record_add",
    "credit_rules_load",
    "proposal_decide",
    "proposals_generate",
    "review_approve",
    "review_codes_issue",
    "review_objection_answer",
    "review_objection_record",
    "review_open",
    "review_publish",
    "review_report_attach",
    "review_sheet_submit",
    "review_standard_set",
    "satisfaction_create",
    "satisfaction_publish",
    "survey_code_send",
    "survey_vote",
]
