"""Writes of the 群众满意单位 social rating (004 四(二)): a period per jurisdiction, the
public survey's one-time SMS codes and votes (one vote per phone number per period), and
publication of the results. Phone numbers are kept only as a salted, keyed hash (PIPL):
HMAC-SHA256 under the site's secret of the period's salt and the number, so the same
number has unrelated hashes in two periods and the table alone cannot be reversed."""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import re
import secrets
from typing import Any

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from gongzhi.appraisal import social_access as sa
from gongzhi.appraisal.models import SatisfactionPeriod, SurveyCode, SurveyRating, SurveyVote
from gongzhi.appraisal.social_results import rated_units
from gongzhi.common.audit import audit_record
from gongzhi.common.errors import Conflict, DomainError, FieldError, InvalidInput
from gongzhi.org.models import Jurisdiction

PHONE = re.compile(r"^1[3-9]\d{9}$")
CODE_MINUTES = 10
CODE_TRIES = 5
# One code per number per minute, at most this many a day (besides the doors' limit per
# client address).
CODE_GAP = dt.timedelta(seconds=60)
CODES_PER_DAY = 5


class TooMany(DomainError):
    """Too many tries: the client should wait (429)."""

    status = 429
    code = "too_many"


def phone_hash(period: SatisfactionPeriod, phone: str) -> str:
    key = settings.SECRET_KEY.encode()
    return hmac.new(key, f"{period.salt}:{phone}".encode(), hashlib.sha256).hexdigest()


def _code_hash(period: SatisfactionPeriod, phone: str, code: str) -> str:
    key = settings.SECRET_KEY.encode()
    return hmac.new(key, f"{period.salt}:{phone}:{code}".encode(), hashlib.sha256).hexdigest()


def clean_phone(phone: str) -> str:
    phone = re.sub(r"[\s-]", "", phone or "")
    if not PHONE.match(phone):
        raise InvalidInput(errors=[FieldError("phone", _("请输入 11 位手机号码"))])
    return phone


@transaction.atomic
def satisfaction_create(
    *,
    jurisdiction: Jurisdiction,
    title: str,
    starts_on: dt.date,
    ends_on: dt.date,
    survey: bool = True,
    case_weight: int = 50,
    min_ratings: int = 3,
    actor: Any,
) -> SatisfactionPeriod:
    sa.require(actor, "satisfaction_create", jurisdiction)
    errors = []
    if not title.strip():
        errors.append(FieldError("title", _("请填写名称")))
    if ends_on < starts_on:
        errors.append(FieldError("ends_on", _("结束日期不能早于开始日期")))
    if not 0 <= case_weight <= 100:
        errors.append(FieldError("case_weight", _("权重应在 0 到 100 之间")))
    if not survey and case_weight != 100:
        errors.append(FieldError("case_weight", _("不开展问卷时办件评价权重应为 100")))
    if errors:
        raise InvalidInput(errors=errors)
    period = SatisfactionPeriod.objects.create(
        jurisdiction=jurisdiction,
        title=title.strip(),
        starts_on=starts_on,
        ends_on=ends_on,
        survey=survey,
        case_weight=case_weight,
        min_ratings=min_ratings,
        salt=secrets.token_hex(16),
    )
    audit_record(
        actor=actor,
        action="appraisal.satisfaction_create",
        target=period,
        extra={"jurisdiction": jurisdiction.code, "from": str(starts_on), "to": str(ends_on)},
    )
    return period


def _voted(period: SatisfactionPeriod, hashed: str) -> bool:
    return SurveyVote.objects.filter(period=period, phone_hash=hashed).exists()


@transaction.atomic
def survey_code_send(
    *, period: SatisfactionPeriod, phone: str, now: dt.datetime | None = None
) -> SurveyCode:
    """Send a six-digit code by SMS (through the notify outbox) to a number that has not
    voted in the period; the code's hash is kept for ten minutes."""
    from gongzhi.notify.services import About, queue_for_person

    now = now or timezone.now()
    sa.require_survey_open(period, now)
    phone = clean_phone(phone)
    hashed = phone_hash(period, phone)
    if _voted(period, hashed):
        raise Conflict(_("该号码本期已参加评议，每个号码只能评议一次"))
    recent = SurveyCode.objects.filter(
        period=period, phone_hash=hashed, created_at__gte=now - dt.timedelta(days=1)
    )
    if recent.filter(created_at__gte=now - CODE_GAP).exists():
        raise TooMany(_("验证码已发送，请一分钟后再试"))
    if recent.count() >= CODES_PER_DAY:
        raise TooMany(_("该号码今天获取验证码次数过多，请明天再试"))
    code = f"{secrets.randbelow(10**6):06d}"
    sent = SurveyCode.objects.create(
        period=period,
        phone_hash=hashed,
        code_hash=_code_hash(period, phone, code),
        expires_at=now + dt.timedelta(minutes=CODE_MINUTES),
        created_at=now,
    )
    from gongzhi.cases.masking import mask_phone

    queue_for_person(
        event="verify_code",
        about=About(
            target=f"appraisal.satisfactionperiod:{period.pk}",
            area_path=period.jurisdiction.path,
            params={"text": period.title, "code": code},
        ),
        label=mask_phone(phone),
        phone=phone,
        now=now,
    )
    audit_record(actor=None, action="appraisal.survey_code", target=period)
    return sent


def _check_code(period: SatisfactionPeriod, phone: str, code: str, now: dt.datetime) -> SurveyCode:
    """The number's latest live code, if ``code`` matches it; a wrong code counts a try
    (committed even though the vote fails: the caller runs this outside its transaction)."""
    hashed = phone_hash(period, phone)
    sent = (
        SurveyCode.objects.filter(
            period=period, phone_hash=hashed, used_at__isnull=True, expires_at__gt=now
        )
        .order_by("-created_at")
        .first()
    )
    if sent is None or sent.tries >= CODE_TRIES:
        raise InvalidInput(errors=[FieldError("code", _("验证码已失效，请重新获取"))])
    if not hmac.compare_digest(sent.code_hash, _code_hash(period, phone, code.strip())):
        SurveyCode.objects.filter(pk=sent.pk, tries=sent.tries).update(tries=sent.tries + 1)
        raise InvalidInput(errors=[FieldError("code", _("验证码不正确"))])
    return sent


def _clean_ratings(period: SatisfactionPeriod, ratings: dict[int, str]) -> dict[int, str]:
    allowed = {u.pk for u in rated_units(period)}
    values = set(SurveyRating.Value.values)
    errors = []
    chosen = {}
    for unit_id, value in ratings.items():
        if not value:
            continue
        if unit_id not in allowed:
            errors.append(FieldError(f"u{unit_id}", _("该单位不在本次评议范围内")))
        elif value not in values:
            errors.append(FieldError(f"u{unit_id}", _("请选择满意、基本满意或不满意")))
        else:
            chosen[unit_id] = value
    if not chosen and not errors:
        errors.append(FieldError("ratings", _("请至少评价一个单位")))
    if errors:
        raise InvalidInput(errors=errors)
    return chosen


def survey_vote(
    *,
    period: SatisfactionPeriod,
    phone: str,
    code: str,
    ratings: dict[int, str],
    now: dt.datetime | None = None,
) -> SurveyVote:
    """One vote per number per period: the code is used by a conditional update and the
    vote is unique on (period, number hash), so of two submissions at once one wins."""
    now = now or timezone.now()
    sa.require_survey_open(period, now)
    phone = clean_phone(phone)
    chosen = _clean_ratings(period, ratings)
    sent = _check_code(period, phone, code, now)
    try:
        with transaction.atomic():
            used = SurveyCode.objects.filter(pk=sent.pk, used_at__isnull=True).update(used_at=now)
            if not used:
                raise IntegrityError("code used")
            vote = SurveyVote.objects.create(period=period, phone_hash=sent.phone_hash)
            SurveyRating.objects.bulk_create(
                SurveyRating(vote=vote, unit_id=u, value=v) for u, v in chosen.items()
            )
            audit_record(
                actor=None,
                action="appraisal.survey_vote",
                target=vote,
                extra={"period": period.pk, "units": len(chosen)},
            )
    except IntegrityError as exc:
        raise Conflict(_("该号码本期已参加评议，每个号码只能评议一次")) from exc
    return vote


@transaction.atomic
def satisfaction_publish(*, period: SatisfactionPeriod, actor: Any) -> SatisfactionPeriod:
    sa.require(actor, "satisfaction_publish", period)
    now = timezone.now()
    done = SatisfactionPeriod.objects.filter(pk=period.pk, published_at__isnull=True).update(
        published_at=now
    )
    if not done:
        raise Conflict(_("结果已公布"))
    period.published_at = now
    audit_record(actor=actor, action="appraisal.satisfaction_publish", target=period)
    return period
