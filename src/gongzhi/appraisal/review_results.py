"""Results of a democratic appraisal, recomputed from the sheets: each subject's score is
the mean over the sheets of the points it got (the items' weights sum to 100), each item's
mean beside it; 优秀 ≥ 90, 合格 ≥ 60, 不合格 below."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

from django.db.models import Count, Sum
from django.utils.translation import gettext as _

from gongzhi.appraisal.models import Campaign, ReviewScore, ReviewSubject


@dataclass
class SubjectResult:
    subject: ReviewSubject
    score: float
    grade: str
    items: dict[int, float] = field(default_factory=dict)


def grade_of(score: float) -> str:
    return _("优秀") if score >= 90 else _("合格") if score >= 60 else _("不合格")


def results(campaign: Campaign) -> list[SubjectResult]:
    sheets = campaign.sheets.count()
    sums: dict[int, dict[int, int]] = defaultdict(dict)
    rows = (
        ReviewScore.objects.filter(sheet__campaign=campaign)
        .values("subject_id", "item_id")
        .annotate(total=Sum("points"), n=Count("id"))
    )
    for r in rows:
        sums[r["subject_id"]][r["item_id"]] = r["total"]
    found = []
    for subject in campaign.subjects.select_related("estate", "unit").order_by(
        "estate__code", "party"
    ):
        items = {k: round(v / sheets, 1) for k, v in sums[subject.pk].items()} if sheets else {}
        score = round(sum(sums[subject.pk].values()) / sheets, 1) if sheets else 0.0
        found.append(SubjectResult(subject, score, grade_of(score) if sheets else "", items))
    return found


def evidence(campaign: Campaign) -> dict[tuple[int, int], str]:
    """What the system knows for each subject and item with a measure, over the
    campaign's year: the estate's cases (how many, closed, satisfied of those rated) and
    the unit's share of them; the unit's buck-passing and delay records."""
    from gongzhi.cases.models import Accountability, Case, Rating, State

    found: dict[tuple[int, int], str] = {}
    items = list(campaign.items.exclude(measure=""))
    if not items:
        return found
    for subject in campaign.subjects.select_related("estate", "unit"):
        cases = Case.objects.filter(estate=subject.estate, year=campaign.year).exclude(
            state=State.MERGED
        )
        led = cases.filter(lead_unit=subject.unit)
        rated = led.exclude(rating="")
        satisfied = rated.filter(rating=Rating.SATISFIED).count()
        n_rated = rated.count()
        for item in items:
            if item.measure == "cases":
                rate = f"{100 * satisfied / n_rated:.0f}%" if n_rated else "—"
                found[(subject.pk, item.pk)] = _(
                    "本小区 %(year)s 年诉求 %(cases)s 件；本单位承办 %(led)s 件，"
                    "已结案 %(closed)s 件，满意率 %(rate)s"
                ) % {
                    "year": campaign.year,
                    "cases": cases.count(),
                    "led": led.count(),
                    "closed": led.filter(state=State.CLOSED).count(),
                    "rate": rate,
                }
            elif item.measure == "accountability":
                accs = Accountability.objects.filter(
                    unit=subject.unit, created_at__year=campaign.year
                )
                found[(subject.pk, item.pk)] = _("推诿扯皮 %(buck)s 次，拖延不办 %(delay)s 次") % {
                    "buck": accs.filter(kind="buck_passing").count(),
                    "delay": accs.filter(kind="delay").count(),
                }
    return found
