"""Every write of coordinated problem solving (002 (二)): one transaction each, an audit
event each, conditional on the version read.

- ``problems``  raising (also from a case), the tier's moves, passing on, linking a case
- ``records``   the consultations held (第六条)
- ``early``     early-intervention matters: raising, inviting, deciding (第七条)"""

from gongzhi.problems.services.early import (
    early_invite,
    early_matter_raise,
    early_transition,
)
from gongzhi.problems.services.problems import (
    problem_from_case,
    problem_link_case,
    problem_pass_on,
    problem_raise,
    problem_transition,
)
from gongzhi.problems.services.records import consultation_record

__all__ = [
    "consultation_record",
    "early_invite",
    "early_matter_raise",
    "early_transition",
    "problem_from_case",
    "problem_link_case",
    "problem_pass_on",
    "problem_raise",
    "problem_transition",
]
