"""The appraisal app's tables: credit records and the red/black list (credit.py), the
democratic appraisal of the three parties (review.py), the unit assessment (assessment.py),
and the social rating with the awards and accountability lists (social.py)."""

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
    ReviewReport,
    ReviewScore,
    ReviewSheet,
    ReviewSubject,
)
from gongzhi.appraisal.models.social import (
    Proposal,
    SatisfactionPeriod,
    SurveyCode,
    SurveyRating,
    SurveyVote,
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
    "Proposal",
    "RaterCode",
    "ReviewItem",
    "ReviewObjection",
    "ReviewReport",
    "ReviewScore",
    "ReviewSheet",
    "ReviewSubject",
    "SatisfactionPeriod",
    "SurveyCode",
    "SurveyRating",
    "SurveyVote",
]
