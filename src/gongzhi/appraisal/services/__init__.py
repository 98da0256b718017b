"""Every write of the appraisal app (one module per sub-area)."""

from gongzhi.appraisal.services.collect import CollectResult, credit_collect
from gongzhi.appraisal.services.credit import (
    credit_objection_raise,
    credit_objection_rule,
    credit_period_close,
    credit_record_add,
)
from gongzhi.appraisal.services.rules import credit_rules_load

__all__ = [
    "CollectResult",
    "credit_collect",
    "credit_objection_raise",
    "credit_objection_rule",
    "credit_period_close",
    "credit_record_add",
    "credit_rules_load",
]
