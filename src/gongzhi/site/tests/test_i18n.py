"""The English UI is complete (issue 7, defect 11): every string a user sees is in the
catalog, translated, and an English page shows no Chinese except data.

Three kinds of check:
- the catalog: no untranslated or fuzzy entry, and no translation still in Chinese;
- the source: no template has Chinese outside ``{% translate %}``/``{% blocktranslate %}``
  and comments, and no Python module has a Chinese string literal outside a gettext call,
  except the data listed below, each with its reason;
- the doors: English pages for several demo roles, an API error, an Excel export's header
  row and the PDFs' text carry no Chinese once the demo's own data (names of people,
  units, estates, case titles, catalog text …) is taken out.

How to add a string and re-extract the catalog: docs/architecture.md, "Translations".
"""

from __future__ import annotations

import ast
import io
import re
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

import polib
import pytest
from django.apps import apps
from django.conf import settings
from django.test import Client
from django.utils import translation
from openpyxl import load_workbook
from pypdf import PdfReader

from gongzhi.org.models import User

PACKAGE = Path(settings.LOCALE_PATHS[0]).parent
EN_PO = Path(settings.LOCALE_PATHS[0]) / "en" / "LC_MESSAGES" / "django.po"

# Han characters (the CJK blocks a Chinese string uses).
HAN = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]")
# Citations of the policy documents ("001 四(二)", "003 二(十三)1", "000 三(四)2(5)",
# "002 (三)第三、四条") are data: they name a section of a Chinese document, in its own
# numbering.
CITATION = re.compile(
    r"\b\d{3}\s*[一二三四五六七八九十]*(?:[（(][一二三四五六七八九十\d]+[)）]|\d)*"
    r"(?:第[一二三四五六七八九十、]+条)?"
    # an article or a clause on its own: 第一条, 第三、四条, (三)
    r"|第[一二三四五六七八九十、]+条|[（(][一二三四五六七八九十]+[)）]"
)
# A location as its parts are entered: 5号楼 2单元 302室 (an address, data).
ADDRESS = re.compile(r"\d+\s*(?:号楼|栋|幢|楼|单元|室|号)")
# Each language is offered in its own name in the picker.
OWN_NAMES = ("简体中文",)


def _han(text: str) -> list[str]:
    """Each run of Chinese left in ``text``, with a little context to find it by."""
    return [
        text[max(0, m.start() - 30) : m.end() + 30]
        for m in re.finditer(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]+", text)
    ]


# --- the catalog ----------------------------------------------------------------------


def test_every_catalog_entry_is_translated_and_none_is_fuzzy() -> None:
    po = polib.pofile(str(EN_PO))
    missing = [e.msgid for e in po if not e.obsolete and not e.translated()]
    fuzzy = [e.msgid for e in po if not e.obsolete and "fuzzy" in e.flags]
    assert missing == [], f"{len(missing)} untranslated, e.g. {missing[:5]}"
    assert fuzzy == [], f"{len(fuzzy)} fuzzy, e.g. {fuzzy[:5]}"


def test_no_translation_is_still_chinese() -> None:
    po = polib.pofile(str(EN_PO))
    still = []
    for e in po.translated_entries():
        texts = [e.msgstr] if not e.msgid_plural else list(e.msgstr_plural.values())
        for text in texts:
            text = CITATION.sub("", text)
            if HAN.search(text):
                still.append((e.msgid, text))
    assert still == []


# --- the source -----------------------------------------------------------------------

# Whole modules whose Chinese is data, not interface.
DATA_MODULES = {
    "demo.py": "the demo's registry of parts",
    "demo_chibi.py": "demo data of the second county (names, estates, cases)",
    "org/demo.py": "demo data: jurisdictions, estates, units",
    "org/demo_people.py": "demo data: people and their posts",
    "org/demo_context.py": "demo data: accounts",
    "catalog/demo.py": "demo data: the county's duty catalog",
    "cases/demo.py": "demo data: cases as residents wrote them",
    "meetings/demo.py": "demo data: meetings, topics and minutes",
    "appraisal/demo.py": "demo data: property companies, credit records, review standards",
    "notify/demo.py": "demo data: the units' group robots",
    "parties/demo.py": "demo data: the parties' notices, reports, custody and their people",
    "problems/demo.py": "demo data: the estate problems, consultations and early matters",
    "appraisal/demo_social.py": "demo data: the social rating's companies, units and votes",
    "stats/demo.py": "demo data: a unit's old ledger imported with one bad row",
    "stats/imports/bench.py": "benchmark data: generated ledger rows",
    "campaigns/demo.py": "demo data: a campaign, its survey form, surveys and reports",
    "conftest.py": "test fixtures",
    "bench/load.py": "load-test data (a resident's report)",
    "bench/crash.py": "benchmark output naming the demo county",
    "bench/intake.py": "benchmark output naming the demo county",
    "bench/appraisal.py": "benchmark data (a county, its units, estates and cases)",
    "config/settings/base.py": "settings errors are raised before translations can load",
    "config/settings/production.py": "settings errors are raised before translations can load",
}
# Keyword arguments that document the JSON API (OpenAPI summaries and descriptions, written
# for integrators in the source language; not shown in the web interface).
API_DOC_KEYWORDS = {"summary", "description", "openapi_extra"}
API_DOC_CALLS = {
    "Field",
    "Query",
    "Path",
    "Body",
    "Form",
    "File",
    "Router",
    "NinjaAPI",
    "GongzhiAPI",
    "Header",
    "enum_schema",
}
GETTEXT = {"_", "gettext", "gettext_lazy", "pgettext", "pgettext_lazy", "ngettext", "ngettext_lazy"}
# A statement marked with this comment (on its first or last line, or a comment line just
# above it) holds data, with the reason after the mark: a stored value, a file format's
# column title, a pattern matched against Chinese text.
DATA_MARK = "# i18n: data"
SIMPLE_STATEMENTS = (ast.Assign, ast.AnnAssign, ast.AugAssign, ast.Expr, ast.Return)


def _name(func: ast.expr) -> str:
    if isinstance(func, ast.Name):
        return func.id
    if isinstance(func, ast.Attribute):
        return func.attr
    return ""


def _python_modules() -> Iterator[tuple[str, Path]]:
    for path in sorted(PACKAGE.rglob("*.py")):
        rel = path.relative_to(PACKAGE).as_posix()
        parts = rel.split("/")
        if "migrations" in parts or "tests" in parts or parts[0] == "locale":
            continue
        if rel in DATA_MODULES:
            continue
        yield rel, path


def _marked(lines: list[str], node: ast.stmt) -> bool:
    """The statement carries the data mark: on its first or last line, or on a comment
    line just above it."""
    last = node.end_lineno or node.lineno
    above = lines[node.lineno - 2].strip() if node.lineno > 1 else ""
    return (
        DATA_MARK in lines[node.lineno - 1]
        or DATA_MARK in lines[last - 1]
        or (above.startswith("#") and DATA_MARK in above)
    )


def _allowed_nodes(tree: ast.Module, lines: list[str]) -> set[int]:
    """ids of the nodes whose Chinese is allowed: inside gettext, docstrings, API docs,
    command help, choice values, and statements marked as data."""
    allowed: set[int] = set()

    def allow(node: ast.AST) -> None:
        allowed.update(id(n) for n in ast.walk(node))

    for node in ast.walk(tree):
        body = getattr(node, "body", None)
        if (
            isinstance(node, ast.Module | ast.ClassDef | ast.FunctionDef | ast.AsyncFunctionDef)
            and body
            and isinstance(body[0], ast.Expr)
            and isinstance(body[0].value, ast.Constant)
        ):
            allow(body[0])  # a docstring
        if isinstance(node, ast.Call):
            if _name(node.func) in GETTEXT | API_DOC_CALLS:
                allow(node)
            for kw in node.keywords:
                if kw.arg in API_DOC_KEYWORDS:
                    allow(kw)
        if isinstance(node, ast.Dict):
            # An OpenAPI schema written out: {"type": ..., "description": "..."}.
            for key, value in zip(node.keys, node.values, strict=True):
                if isinstance(key, ast.Constant) and key.value == "description":
                    allow(value)
        if isinstance(node, ast.Assign):
            names = [t.id for t in node.targets if isinstance(t, ast.Name)]
            # A command's help (read by argparse) and the API's help texts.
            if any(n == "help" or n.endswith("_HELP") for n in names):
                allow(node)
            # A choice's stored value: ``HOUSING_SAFETY = "房屋安全", _("房屋安全")``.
            if (
                isinstance(node.value, ast.Tuple)
                and len(node.value.elts) == 2
                and isinstance(node.value.elts[1], ast.Call)
                and _name(node.value.elts[1].func) in GETTEXT
            ):
                allow(node.value.elts[0])
        if isinstance(node, SIMPLE_STATEMENTS) and _marked(lines, node):
            allow(node)
    for node in ast.walk(tree):
        if isinstance(node, ast.Constant) and DATA_MARK in lines[node.lineno - 1]:
            allowed.add(id(node))
    return allowed


def _untranslated_literals(rel: str, source: str) -> list[str]:
    tree = ast.parse(source)
    lines = source.splitlines()
    allowed = _allowed_nodes(tree, lines)
    found = []
    for node in ast.walk(tree):
        if (
            isinstance(node, ast.Constant)
            and isinstance(node.value, str)
            and HAN.search(node.value)
            and id(node) not in allowed
        ):
            found.append(f"{rel}:{node.lineno}: {node.value[:60]!r}")
    return found


def test_python_modules_have_no_chinese_literal_outside_gettext() -> None:
    found: list[str] = []
    for rel, path in _python_modules():
        found += _untranslated_literals(rel, path.read_text(encoding="utf-8"))
    assert found == [], "\n".join(found)


def test_the_static_check_catches_a_new_label() -> None:
    """The check above can fail: an f-string message and a plain label are caught, their
    gettext forms and a marked data literal are not."""
    source = (
        "from django.utils.translation import gettext as _\n"
        "def f(n):\n"
        '    a = f"共 {n} 条"\n'
        '    b = "小区"\n'
        '    c = _("共 %(n)s 条") % {"n": n}\n'
        '    d = "签收"  # i18n: data (a stored value)\n'
        "    return a, b, c, d\n"
    )
    found = _untranslated_literals("x.py", source)
    assert sorted({f.split(":")[1] for f in found}) == ["3", "4"]


TAG = re.compile(
    r"\{%\s*(?:translate|trans)\s.*?%\}"
    r"|\{%\s*(?:blocktranslate|blocktrans)\b.*?%\}.*?\{%\s*end(?:blocktranslate|blocktrans)\s*%\}"
    r"|\{#.*?#\}"
    r"|\{%\s*comment\s*%\}.*?\{%\s*endcomment\s*%\}"
    r"""|_\("[^"]*"\)|_\('[^']*'\)""",
    re.S,
)


def _template_leftovers(text: str) -> list[str]:
    rest = CITATION.sub("", TAG.sub("", text))
    return _han(rest)


def test_templates_have_no_chinese_outside_translate_tags() -> None:
    found = []
    for path in sorted(PACKAGE.rglob("templates/**/*")):
        if path.suffix not in (".html", ".txt", ".xml"):
            continue
        for left in _template_leftovers(path.read_text(encoding="utf-8")):
            found.append(f"{path.relative_to(PACKAGE)}: {left!r}")
    assert found == [], "\n".join(found)


def test_the_template_check_catches_a_new_label() -> None:
    assert _template_leftovers('<p>{% translate "小区" %}：{{ x|default:_("无") }}</p>') == []
    assert _template_leftovers("<p>小区：{{ x }}</p>") != []
    assert _template_leftovers("{# 说明 #}<p>（001 四(二)）</p>") == []


# --- the doors ------------------------------------------------------------------------

# The demo's data: every text column of the rows users see. Taken out of a page before it
# is checked, longest first; anything Chinese left is an untranslated label.
DATA_FIELDS: dict[str, tuple[str, ...]] = {
    "common.CalendarDay": ("name", "source"),
    "common.AuditEvent": ("target_label", "reason"),
    "org.User": ("first_name", "last_name", "display_name"),
    "org.Jurisdiction": ("name",),
    "org.Estate": ("name", "address"),
    "org.UnitKind": ("name",),
    "org.Unit": ("name", "short_name", "address", "duty_summary", "source"),
    "org.Person": ("name",),
    "org.Post": ("title",),
    "org.Body": ("name", "duties", "source"),
    "org.BodyMember": ("title",),
    "catalog.Catalog": ("name", "source"),
    "catalog.MatterType": (
        "name",
        "description",
        "legal_basis",
        "source",
        "keywords",
        "phrasings",
        "exclusions",
    ),
    "cases.Case": (
        "reporter_name",
        "building",
        "unit_no",
        "room",
        "location",
        "title",
        "description",
        "public_summary",
        "result",
        "rating_reason",
        "on_site_action",
    ),
    "cases.CaseTask": ("instructions", "result"),
    "cases.CaseEvent": ("reason",),
    "cases.Attachment": ("name",),
    "cases.ReportForm": ("contact", "receiver", "location", "details"),
    "cases.ReportOpinion": ("unit_name", "opinion", "head"),
    "cases.Accountability": ("reason",),
    "cases.RatingAppeal": ("reason", "decision_reason"),
    # Messages are stored when sent, in the language of that moment (the demo's: Chinese).
    "cases.Notification": ("text",),
    "meetings.InboxMessage": ("text",),
    "meetings.Schedule": ("place", "source"),
    "meetings.Meeting": ("title", "place"),
    "meetings.Topic": ("title", "background", "ask", "reject_reason"),
    "meetings.Invitation": ("name",),
    "meetings.LeaveRequest": ("reason",),
    "meetings.Attendance": ("note",),
    "meetings.Minutes": ("summary",),
    "meetings.MinutesItem": ("report", "views", "conclusion"),
    "meetings.Decision": ("title", "required_outcome", "outcome", "case_instructions"),
    "meetings.DecisionProgress": ("text",),
    # The three parties' notices, circulars and reports: text and table rows they wrote.
    "parties.Notice": ("title", "body", "rows"),
    "parties.Circular": ("title", "body"),
    "parties.Report": ("data", "feedback"),
    "parties.Custody": ("scope", "handover_note"),
    "parties.UtilityWork": ("title", "description"),
    "parties.Outage": ("title", "description", "restore_note"),
    "parties.OutageTask": ("note",),
    "parties.OutageUpdate": ("text",),
    # Rectification campaigns: the office's form and the streets' returns.
    "campaigns.Campaign": ("title", "basis", "fields", "classes"),
    "campaigns.Survey": ("values", "classification"),
    "campaigns.ProgressReport": ("situation", "measures", "problems"),
    # The three parties' problems and early matters: what they wrote (002 (二)).
    "problems.Problem": ("title", "description"),
    "problems.Note": ("text",),
    "problems.Consultation": ("participants", "summary"),
    "problems.EarlyMatter": ("title", "description", "decision", "outcome"),
    "problems.Invitation": ("invitee", "note"),
    # Messages are stored when queued, in the language of that moment.
    "notify.Message": ("label", "subject", "body"),
    "notify.UnitWebhook": ("name",),
    "appraisal.CreditPolicy": ("name", "source"),
    "appraisal.CreditRule": ("label", "source"),
    "appraisal.CreditRecord": ("note",),
    "appraisal.CreditObjection": ("reason", "decision_reason"),
    "appraisal.Campaign": ("title",),
    "appraisal.ReviewItem": ("title", "guide"),
    "appraisal.ReviewSubject": ("report",),
    "appraisal.RaterCode": ("label",),
    "appraisal.ReviewObjection": ("text", "raised_by", "answer"),
    "appraisal.SatisfactionPeriod": ("title",),
    "appraisal.Proposal": ("basis", "evidence", "note"),
    "appraisal.AssessmentPlan": ("title",),
    "appraisal.AssessmentItem": ("label", "source"),
    "appraisal.ManualScore": ("note",),
    "appraisal.AssessmentResult": ("remarks",),
    "catalog.CatalogProposal": ("words", "name", "note", "history"),
}


def _texts(value: object) -> Iterator[str]:
    """Every string in a column's value, also inside JSON lists and objects."""
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for item in value.values():
            yield from _texts(item)
    elif isinstance(value, (list, tuple)):
        for item in value:
            yield from _texts(item)


def _data_values() -> list[str]:
    from gongzhi.cases.access import mask_name, mask_text
    from gongzhi.cases.models import Case

    values: set[str] = set()
    for label, fields in DATA_FIELDS.items():
        model = apps.get_model(label)
        for field in fields:
            for raw in model.objects.values_list(field, flat=True):
                for value in _texts(raw):
                    if HAN.search(value):
                        values.add(value.strip())
                        # A long text is shown cut short on lists (…).
                        values.update(line.strip() for line in value.splitlines() if line.strip())
    for user in User.objects.all():
        values.add(str(user))
    # Routing reasons are stored with the case when it is routed, in that moment's language.
    for reasons in Case.objects.values_list("route_reasons", flat=True):
        values.update(r for r in reasons or () if HAN.search(r))
    # What a reader without the right to see personal data gets: the same data, masked.
    for name, *texts in Case.objects.values_list("reporter_name", "title", "description"):
        values.update(mask_text(t, names=[name]) for t in texts if t)
    values.update({mask_text(v) for v in values} | {mask_name(v) for v in values if len(v) <= 4})
    return sorted((v for v in values if v), key=len, reverse=True)


def _strip_data(text: str, data: Iterable[str]) -> str:
    for value in data:
        # A stored citation ("001 四(二)") is taken out below, whole: removing it here
        # would leave the rest of a longer one ("001 四(二)(三)") behind.
        if CITATION.fullmatch(value):
            continue
        if value in text:
            text = text.replace(value, " ")
    for name in OWN_NAMES:
        text = text.replace(name, " ")
    text = ADDRESS.sub(" ", text)
    return CITATION.sub(" ", text)


def _visible(html: str) -> str:
    """The page's text and attributes a user reads (titles, placeholders, labels), without
    the markup, scripts and styles."""
    html = re.sub(r"<(script|style)\b.*?</\1>", " ", html, flags=re.S)
    # Words quoted from data (a resident's text, a catalog's phrasings) are marked so.
    html = re.sub(r"<(\w+)\b[^>]*\bdata-quote\b[^>]*>.*?</\1>", " ", html, flags=re.S)
    return re.sub(r"<[^>]+?>", " ", html)


def _english(username: str | None) -> Client:
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    if username:
        client.force_login(User.objects.get(username=username))
    return client


def _pages(demo: Any) -> dict[str | None, list[str]]:
    from gongzhi.cases.models import Case
    from gongzhi.meetings.models import Decision, Meeting, Topic
    from gongzhi.org.models import Body

    case = Case.objects.filter(number__startswith="370829").order_by("pk").first()
    meeting = Meeting.objects.filter(body__jurisdiction__code__startswith="370829").first()
    held = Meeting.objects.filter(
        body__jurisdiction__code__startswith="370829", minutes__isnull=False
    ).first()
    topic = Topic.objects.filter(body__jurisdiction__code__startswith="370829").first()
    decision = Decision.objects.filter(
        meeting__body__jurisdiction__code__startswith="370829"
    ).first()
    body = Body.objects.filter(jurisdiction__code__startswith="370829").first()
    assert case and meeting and held and topic and decision and body
    staff = [
        "/",
        f"/cases/{case.number}/",
        "/cases/ledger/",
        "/cases/metrics/",
        "/meetings/",
        "/meetings/calendar/",
        "/meetings/topics/",
        f"/meetings/topics/{topic.pk}/",
        f"/meetings/m/{meeting.pk}/",
        f"/meetings/m/{meeting.pk}/notice/",
        f"/meetings/m/{held.pk}/minutes/",
        "/meetings/decisions/",
        f"/meetings/decisions/{decision.pk}/",
        f"/meetings/bodies/{body.pk}/",
        f"/meetings/bodies/{body.pk}/summary/",
        "/meetings/inbox/",
        "/notices/",
        "/estates/",
        "/units/",
        "/catalog/",
        "/catalog/route/",
    ]
    return {
        None: [
            "/estates/JX-E001/",
            "/estates/JX-E003/",
            "/cases/report/",
            "/cases/track/",
            "/accounts/login/",
        ],
        "office": ["/cases/desk/", *staff],
        "convener": staff,
        "zjj": [
            "/",
            "/cases/inbox/",
            "/cases/ledger/",
            "/meetings/",
            "/meetings/decisions/",
        ],
        "jiedao": [
            "/",
            "/cases/desk/",
            "/cases/inbox/",
            f"/cases/{case.number}/",
            "/meetings/topics/",
        ],
        "wuye": ["/", "/cases/inbox/", "/cases/ledger/"],
        "resident": ["/", "/cases/mine/", "/cases/report/"],
        "auditor": ["/", "/cases/ledger/", "/cases/metrics/", "/meetings/"],
    }


@pytest.mark.django_db
def test_english_pages_show_no_chinese_but_data(demo: Any) -> None:
    data = _data_values()
    found = []
    skipped = []
    for username, urls in _pages(demo).items():
        client = _english(username)
        for url in urls:
            response = client.get(url)
            if response.status_code in (302, 403, 404):
                skipped.append((username, url, response.status_code))
                continue
            assert response.status_code == 200, (username, url, response.status_code)
            html = response.content.decode()
            assert '<html lang="en">' in html, (username, url)
            for left in _han(_strip_data(_visible(html), data)):
                found.append(f"{username or 'anonymous'} {url}: {left!r}")
    assert found == [], f"{len(found)} Chinese texts left:\n" + "\n".join(sorted(set(found)))
    assert skipped == [], skipped


@pytest.mark.django_db
def test_the_page_check_catches_a_new_label(demo: Any) -> None:
    data = _data_values()
    assert _han(_strip_data("Estate 曾子花园 (001 四(二)), 5号楼", data)) == []
    assert _han(_strip_data("Estate: 曾子花园 小区公示", data)) != []


@pytest.mark.django_db
def test_api_errors_answer_in_english(demo: Any) -> None:
    client = _english("office")
    response = client.post(
        "/api/cases/",
        data={"channel": "walk_in", "estate": "NOPE", "title": ""},
        content_type="application/json",
        HTTP_ACCEPT_LANGUAGE="en",
    )
    assert 400 <= response.status_code < 500
    body = response.json()
    text = " ".join([body["message"], *(e["message"] for e in body.get("errors") or [])])
    assert text.strip() and not HAN.search(text), body
    missing = client.get("/api/cases/370829-NOPE", HTTP_ACCEPT_LANGUAGE="en")
    assert missing.status_code == 404
    assert not HAN.search(missing.json()["message"]), missing.json()


@pytest.mark.django_db
def test_excel_exports_have_english_headers(demo: Any) -> None:
    client = _english("office")
    for url in ("/cases/ledger.xlsx", "/cases/metrics.xlsx"):
        response = client.get(url)
        assert response.status_code == 200, url
        sheet = load_workbook(io.BytesIO(response.content), read_only=True).worksheets[0]
        rows = list(sheet.iter_rows(values_only=True, max_row=2))
        title, header = str(rows[0][0]), [str(c) for c in rows[1] if c]
        assert header and not any(HAN.search(h) for h in header), (url, header)
        assert not HAN.search(_strip_data(title, _data_values())), (url, title)


@pytest.mark.django_db
def test_pdfs_are_in_english(demo: Any) -> None:
    from gongzhi.cases.pdf import report_form_pdf
    from gongzhi.cases.tests.test_pdf import reported_case
    from gongzhi.meetings.documents import notice_pdf
    from gongzhi.meetings.models import Meeting

    case = reported_case(demo)
    meeting = Meeting.objects.filter(body__jurisdiction__code__startswith="370829").first()
    assert meeting is not None
    office = User.objects.get(username="office")
    data = _data_values()
    with translation.override("en"):
        documents = {"report form": report_form_pdf(case, office), "notice": notice_pdf(meeting)}
    for name, content in documents.items():
        pages = PdfReader(io.BytesIO(content)).pages
        # A cell's text wraps onto several lines; the data is compared unwrapped.
        text = " ".join((page.extract_text() or "").replace("\n", "") for page in pages)
        assert text.strip(), name
        left = _han(_strip_data(text, data))
        assert left == [], (name, left)
