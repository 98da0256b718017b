"""Validating the rows of a ledger import, one at a time, against what the importing
county holds: its estates (by code or name), its units (by name, short name or code),
the matters of the catalogs that apply to it (by code or name). Every error names the
row, the column letter and the header as written in the file."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from gongzhi.cases.models import Channel, Rating, State
from gongzhi.cases.services.ledger import ledger_jurisdiction
from gongzhi.catalog.models import MatterType
from gongzhi.org.models import Estate, Jurisdiction, Unit
from gongzhi.stats.imports.columns import column_name

# i18n: data (date formats found in old ledgers)
DATE_FORMATS = (
    "%Y-%m-%d %H:%M:%S",
    "%Y-%m-%d %H:%M",
    "%Y-%m-%d",
    "%Y/%m/%d %H:%M:%S",
    "%Y/%m/%d %H:%M",
    "%Y/%m/%d",
    "%Y.%m.%d",
    "%Y年%m月%d日 %H:%M",
    "%Y年%m月%d日",
)
# The states a historical row may have (the others belong to the live workflow).
IMPORT_STATES = (
    State.DISPATCHED,
    State.ACCEPTED,
    State.IN_PROGRESS,
    State.HANDLED,
    State.FEEDBACK,
    State.CLOSED,
)
FINISHED = (State.HANDLED, State.FEEDBACK, State.CLOSED)
# Translated only when a row has the error (a large import's hot path).
NO_ESTATE = gettext_lazy("本辖区没有小区“%(value)s”")
TWO_ESTATES = gettext_lazy("小区“%(value)s”重名，请填写小区编码")
NO_UNIT = gettext_lazy("本辖区没有单位“%(value)s”")
TWO_UNITS = gettext_lazy("单位“%(value)s”重名，请填写单位编码")
NO_MATTER = gettext_lazy("没有事项“%(value)s”")
TWO_MATTERS = gettext_lazy("事项“%(value)s”重名，请填写事项编码")
LIMITS = {"number": 60, "place": 200, "reporter_name": 50, "reporter_phone": 20, "title": 120}


def _choices(choices: Any, allowed: Any = None) -> dict[str, str]:
    """Label (as written in Chinese) or code → code."""
    out: dict[str, str] = {}
    for value, label in choices:
        if allowed is None or value in allowed:
            out[value] = value
            out[str(label)] = value
    return out


CHANNELS = _choices(Channel.choices)
STATES = _choices(State.choices, IMPORT_STATES)
RATINGS = _choices(Rating.choices)


@dataclass
class RowError:
    row: int
    column: int | None  # 0-based index; None: the row as a whole
    header: str
    message: str

    def text(self) -> str:
        if self.column is None:
            return _("第 %(row)s 行：%(message)s") % {"row": self.row, "message": self.message}
        return _("第 %(row)s 行 第 %(column)s 列（%(header)s）：%(message)s") % {
            "row": self.row,
            "column": column_name(self.column),
            "header": self.header,
            "message": self.message,
        }

    def as_dict(self) -> dict[str, Any]:
        return {
            "row": self.row,
            "column": column_name(self.column) if self.column is not None else "",
            "header": self.header,
            "message": self.message,
            "text": self.text(),
        }


@dataclass
class Parsed:
    """A valid row, ready to be written."""

    row: int
    number: str
    created_at: dt.datetime
    channel: str
    estate_id: int
    area_path: str
    place: str
    reporter_name: str
    reporter_phone: str
    matter: MatterType | None
    title: str
    description: str
    lead_id: int
    state: str
    accepted_at: dt.datetime | None
    handled_at: dt.datetime | None
    result: str
    rating: str


@dataclass
class Lookup:
    """What the rows are checked against, loaded once per import."""

    ledger: Jurisdiction
    estates: dict[str, list[tuple[int, str]]] = field(default_factory=dict)
    units: dict[str, list[int]] = field(default_factory=dict)
    matters: dict[str, list[MatterType]] = field(default_factory=dict)
    # The zone the ledger's times are read in (the current one when the import starts).
    tz: Any = field(default_factory=timezone.get_current_timezone)

    @classmethod
    def load(cls, ledger: Jurisdiction) -> Lookup:
        lk = cls(ledger=ledger)
        for e in Estate.objects.filter(community__path__startswith=ledger.path).values(
            "pk", "code", "name", "community__path"
        ):
            if ledger_jurisdiction(e["community__path"])[0] != ledger.pk:
                continue  # an estate of a county below: its cases go in that ledger
            for key in {e["code"], e["name"]}:
                lk.estates.setdefault(key, []).append((e["pk"], e["community__path"]))
        for u in Unit.objects.filter(jurisdiction__path__startswith=ledger.path).values(
            "pk", "code", "name", "short_name"
        ):
            for key in {u["code"], u["name"], u["short_name"]} - {""}:
                lk.units.setdefault(key, []).append(u["pk"])
        above = [p for p in _ancestors(ledger.path)]
        matters = MatterType.objects.filter(
            Q(catalog__jurisdiction__path__startswith=ledger.path)
            | Q(catalog__jurisdiction__path__in=above)
        )
        for m in matters:
            for key in {m.code, m.name}:
                lk.matters.setdefault(key, []).append(m)
        return lk


def _ancestors(path: str) -> list[str]:
    codes = [c for c in path.split("/") if c]
    return ["/" + "/".join(codes[:i]) + "/" for i in range(1, len(codes) + 1)]


def parse_time(value: Any, tz: Any = None) -> dt.datetime | None:
    """A cell as an aware datetime (wall-clock in ``tz``, by default the current time
    zone: Asia/Shanghai); ValueError if unreadable."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    if isinstance(value, dt.datetime):
        moment = value
    elif isinstance(value, dt.date):
        moment = dt.datetime.combine(value, dt.time())
    else:
        text = str(value).strip()
        moment = _iso_minutes(text) or _strptime(text)
    if moment.tzinfo is None:
        # As timezone.make_aware, without looking the current zone up for every cell.
        moment = moment.replace(tzinfo=tz or timezone.get_current_timezone())
    return moment


def _iso_minutes(text: str) -> dt.datetime | None:
    """The common "YYYY-MM-DD HH:MM" without strptime (a large import's hot path)."""
    if len(text) != 16 or text[4] != "-" or text[7] != "-" or text[13] != ":":
        return None
    try:
        return dt.datetime(  # noqa: DTZ001 (made aware by the caller)
            int(text[:4]), int(text[5:7]), int(text[8:10]), int(text[11:13]), int(text[14:16])
        )
    except ValueError:
        return None


def _strptime(text: str) -> dt.datetime:
    for fmt in DATE_FORMATS:
        try:
            return dt.datetime.strptime(text, fmt)  # noqa: DTZ007 (made aware by the caller)
        except ValueError:
            continue
    raise ValueError(text)


def _cell_text(value: Any) -> str:
    """A cell as text: trimmed, a whole number without ".0", nothing for an empty cell."""
    if value is None:
        return ""
    if value.__class__ is str:
        return value.strip()  # type: ignore[no-any-return]
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value).strip()


class _Row:
    """One row being checked: its cells by key, and the errors found."""

    def __init__(
        self, number: int, cells: tuple[Any, ...], index: dict[str, int], headers: dict[int, str]
    ) -> None:
        self.number = number
        self.errors: list[RowError] = []
        self.failed: set[str] = set()
        self.index = index
        self.headers = headers
        n = len(cells)
        self.values = {key: (cells[i] if i < n else None) for key, i in index.items()}
        # Each cell's text once (a row's checks read them about 25 times).
        self.texts = {key: _cell_text(value) for key, value in self.values.items()}

    def text(self, key: str) -> str:
        return self.texts.get(key, "")

    def error(self, key: str, message: str) -> None:
        self.failed.add(key)
        i = self.index.get(key)
        self.errors.append(
            RowError(self.number, i, self.headers.get(i, "") if i is not None else "", message)
        )

    def time(self, key: str, now: dt.datetime, tz: Any) -> dt.datetime | None:
        try:
            moment = parse_time(self.values.get(key), tz)
        except ValueError:
            self.error(key, _("日期格式应为 YYYY-MM-DD HH:MM"))
            return None
        if moment is not None and moment > now:
            self.error(key, _("时间晚于当前时间"))
        return moment

    def one(self, key: str, found: list[Any] | None, unknown: Any, ambiguous: Any) -> Any:
        if not found:
            self.error(key, str(unknown % {"value": self.text(key)}))
            return None
        if len(found) > 1:
            self.error(key, str(ambiguous % {"value": self.text(key)}))
            return None
        return found[0]


def parse_row(
    number: int, cells: tuple[Any, ...], sheet: Any, lk: Lookup, now: dt.datetime
) -> tuple[Parsed | None, list[RowError]]:
    """The row as a Parsed, or its errors. An empty row is (None, [])."""
    if all(c is None or str(c).strip() == "" for c in cells):
        return None, []
    r = _Row(number, cells, sheet.keys, sheet.headers)
    tz = lk.tz
    for key, limit in LIMITS.items():
        if len(r.text(key)) > limit:
            r.error(key, _("不能超过 %(n)s 个字") % {"n": limit})
    for key in ("number", "estate", "description", "lead_unit"):
        if not r.text(key):
            r.error(key, _("不能为空"))
    created = r.time("created_at", now, tz)
    if created is None and "created_at" not in r.failed:
        r.error("created_at", _("不能为空"))
    accepted = r.time("accepted_at", now, tz)
    handled = r.time("handled_at", now, tz)
    if created and handled and handled < created:
        r.error("handled_at", _("办结时间早于登记时间"))
    if created and accepted and accepted < created:
        r.error("accepted_at", _("签收时间早于登记时间"))
    channel = CHANNELS.get(r.text("channel") or Channel.HOTLINE_12345)
    if channel is None:
        r.error("channel", _("未知来源渠道“%(value)s”") % {"value": r.text("channel")})
    rating = ""
    if r.text("rating"):
        rating = RATINGS.get(r.text("rating"), "")
        if not rating:
            values = "满意、基本满意、不满意"  # i18n: data (the cell values a ledger holds)
            r.error("rating", _("评价应为以下之一：%(values)s") % {"values": values})
    state = _state(r, handled, accepted, rating)
    estate = None
    if r.text("estate"):
        estate = r.one(
            "estate",
            lk.estates.get(r.text("estate")),
            NO_ESTATE,
            TWO_ESTATES,
        )
    lead = None
    if r.text("lead_unit"):
        lead = r.one(
            "lead_unit",
            lk.units.get(r.text("lead_unit")),
            NO_UNIT,
            TWO_UNITS,
        )
    matter = None
    if r.text("matter"):
        matter = r.one(
            "matter",
            lk.matters.get(r.text("matter")),
            NO_MATTER,
            TWO_MATTERS,
        )
    if r.errors or created is None or estate is None or lead is None or channel is None:
        return None, r.errors
    description = r.text("description")
    title = r.text("title") or (matter.name if matter else description)[:60]
    return Parsed(
        row=number,
        number=r.text("number"),
        created_at=created,
        channel=channel,
        estate_id=estate[0],
        area_path=estate[1],
        place=r.text("place"),
        reporter_name=r.text("reporter_name"),
        reporter_phone=r.text("reporter_phone"),
        matter=matter,
        title=title[:120],
        description=description,
        lead_id=lead,
        state=state,
        accepted_at=accepted,
        handled_at=handled,
        result=r.text("result"),
        rating=rating,
    ), []


def _state(r: _Row, handled: dt.datetime | None, accepted: dt.datetime | None, rating: str) -> str:
    """The row's state as written, or read from its times: handled → closed."""
    written = r.text("state")
    if written:
        state = STATES.get(written)
        if state is None:
            values = "待签收、已签收、办理中、已办结、待评价、已结案"  # i18n: data (cell values)
            r.error("state", _("状态应为以下之一：%(values)s") % {"values": values})
            return State.CLOSED
    else:
        state = State.CLOSED if handled else State.ACCEPTED if accepted else State.DISPATCHED
    if state in FINISHED and handled is None and "handled_at" not in r.failed:
        r.error(
            "handled_at" if "handled_at" in r.index else "state", _("已办结的案件须填写办结时间")
        )
    if state not in FINISHED and handled is not None:
        r.error("state", _("未办结的案件不能有办结时间"))
    if rating and state != State.CLOSED:
        r.error("rating", _("有评价的案件状态应为已结案"))
    return state
