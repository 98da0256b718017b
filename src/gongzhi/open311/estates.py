"""How an Open311 request names the estate (docs/open311.md), first match wins:
``attribute[estate]`` (the estate code), ``address_id`` (the estate code: Gongzhi's
register of estates is its address repository), ``address_string`` (an estate's name or
registered address contained in the text, the longest match, unique), or ``lat``/``long``
(the nearest estate with coordinates within ``RADIUS_M``). Only estates inside the
request's jurisdiction are considered."""

from __future__ import annotations

import math

from django.db.models import QuerySet
from django.utils.translation import gettext as _

from gongzhi.common.errors import FieldError
from gongzhi.org.models import Estate, Jurisdiction

RADIUS_M = 500.0
EARTH_M = 6_371_000.0


def _within(jurisdiction: Jurisdiction) -> QuerySet[Estate]:
    return Estate.objects.filter(community__path__startswith=jurisdiction.path)


def _metres(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lon2 - lon1)
    h = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * EARTH_M * math.asin(math.sqrt(h))


def by_code(jurisdiction: Jurisdiction, code: str, field: str) -> Estate | FieldError:
    estate = _within(jurisdiction).filter(code=code).first()
    if estate is None:
        return FieldError(
            field,
            _("辖区“%(place)s”内没有小区编码“%(code)s”")
            % {"place": jurisdiction.name, "code": code},
        )
    return estate


def by_address(jurisdiction: Jurisdiction, text: str) -> Estate | FieldError:
    found: list[tuple[int, Estate]] = []
    for estate in _within(jurisdiction).only("pk", "code", "name", "address"):
        for label in (estate.name, estate.address):
            if label and label in text:
                found.append((len(label), estate))
                break
    if not found:
        return FieldError(
            "address_string", _("地址中找不到本辖区的小区名称或地址，请用 address_id 填小区编码")
        )
    best = max(n for n, _e in found)
    winners = {e.pk: e for n, e in found if n == best}
    if len(winners) > 1:
        names = "、".join(f"{e.name}（{e.code}）" for e in winners.values())
        return FieldError(
            "address_string",
            _("地址对应多个小区：%(names)s，请用 address_id 填小区编码") % {"names": names},
        )
    return next(iter(winners.values()))


def by_position(jurisdiction: Jurisdiction, lat: float, lon: float) -> Estate | FieldError:
    nearest: tuple[float, Estate] | None = None
    qs = _within(jurisdiction).filter(latitude__isnull=False, longitude__isnull=False)
    for estate in qs:
        if estate.latitude is None or estate.longitude is None:
            continue
        d = _metres(lat, lon, float(estate.latitude), float(estate.longitude))
        if d <= RADIUS_M and (nearest is None or d < nearest[0]):
            nearest = (d, estate)
    if nearest is None:
        return FieldError(
            "lat",
            _("该位置 %(radius)s 米内没有本辖区登记了坐标的小区") % {"radius": f"{RADIUS_M:.0f}"},
        )
    return nearest[1]


def parse_position(lat: str, lon: str) -> tuple[float, float] | list[FieldError]:
    errors: list[FieldError] = []
    values: list[float] = []
    for name, raw, bound in (("lat", lat, 90.0), ("long", lon, 180.0)):
        try:
            value = float(raw)
        except ValueError:
            errors.append(FieldError(name, _("应为数字（WGS84 十进制度数）")))
            continue
        if not math.isfinite(value) or abs(value) > bound:
            errors.append(
                FieldError(name, _("应在 -%(bound)s 至 %(bound)s 之间") % {"bound": f"{bound:.0f}"})
            )
            continue
        values.append(value)
    return errors if errors else (values[0], values[1])


def resolve(
    jurisdiction: Jurisdiction,
    *,
    attribute: str,
    address_id: str,
    address_string: str,
    lat: str,
    lon: str,
) -> Estate | list[FieldError]:
    """The estate a request names, or the reasons none was found."""
    if attribute:
        found = by_code(jurisdiction, attribute, "attribute[estate]")
    elif address_id:
        found = by_code(jurisdiction, address_id, "address_id")
    elif address_string:
        found = by_address(jurisdiction, address_string)
    elif lat or lon:
        position = parse_position(lat, lon)
        if isinstance(position, list):
            return position
        found = by_position(jurisdiction, *position)
    else:
        found = FieldError(
            "address_id", _("请用 address_id（小区编码）、address_string 或 lat/long 指明小区")
        )
    return [found] if isinstance(found, FieldError) else found
