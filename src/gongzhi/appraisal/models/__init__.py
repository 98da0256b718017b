"""The appraisal app's tables: credit records and the red/black list (credit.py), and the
democratic appraisal of the three parties (review.py), and the unit assessment
(assessment.py)."""

from gongzhi.appraisal.models.assessment import (
    AssessmentItem,
    AssessmentPlan,
    AssessmentResult,
    ManualScore,
)
from gongzhi.appraisal.models.credit import (
    CreditObjection,
    CreditPeriodClose,
    CreditPolicy,
    CreditRecord,
    CreditRule,
    CreditStanding,
    PeriodKind,
)
from gongzhi.appraisal.models.review import (
    Campaign,
    RaterCode,
    ReviewItem,
    ReviewObjection,
    ReviewScore,
    ReviewSheet,
    ReviewSubject,
)

__all__ = [
    "AssessmentItem",
    "AssessmentPlan",
    "AssessmentResult",
    "Campaign",
    "CreditObjection",
    "CreditPeriodClose",
    "CreditPolicy",
    "CreditRecord",
    "CreditRule",
    "CreditStanding",
    "ManualScore",
    "PeriodKind",
    "RaterCode",
    "ReviewItem",
    "ReviewObjection",
    "ReviewScore",
    "ReviewSheet",
    "ReviewSubject",
]
