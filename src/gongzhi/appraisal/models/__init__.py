"""The appraisal app's tables: credit records and the red/black list (credit.py), the
democratic appraisal of the three parties (review.py), and the social rating with the
awards and accountability lists (social.py)."""

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
    "Campaign",
    "CreditObjection",
    "CreditPeriodClose",
    "CreditPolicy",
    "CreditRecord",
    "CreditRule",
    "CreditStanding",
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
