"""The UI is Chinese by default and English when a visitor asks for it."""

import ast
import gettext
from pathlib import Path

import pytest
from django.conf import settings
from django.test import Client

EN_DIR = Path(settings.LOCALE_PATHS[0]) / "en" / "LC_MESSAGES"


@pytest.mark.django_db
def test_estate_public_page_defaults_to_chinese(demo, client: Client) -> None:
    html = client.get("/estates/JX-E001/").content.decode()
    assert '<html lang="zh-hans">' in html
    assert "遇到问题找谁" in html
    assert "物业管理联动公示" in html
    assert "Who to call" not in html


@pytest.mark.django_db
def test_estate_public_page_in_english_from_browser_language(demo, client: Client) -> None:
    html = client.get("/estates/JX-E001/", HTTP_ACCEPT_LANGUAGE="en-US,en;q=0.9").content.decode()
    assert '<html lang="en">' in html
    assert "Who to call when you have a problem" in html
    assert "曾子花园 Property Management Notice" in html
    assert "Responsible unit" in html and "Contact phone" in html
    assert "遇到问题找谁" not in html
    # Data stays as entered: unit names and policy references are not translated.
    assert "县住房和城乡建设局" in html


@pytest.mark.django_db
def test_english_placeholders_are_filled(demo, client: Client) -> None:
    """An estate without a company or committee names who acts for them, in English."""
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    html = client.get("/estates/JX-E003/").content.decode()
    assert "This estate has no property company; the street office handles" in html
    assert "No owners' committee has been formed; 建设路社区居民委员会 acts in its place." in html


@pytest.mark.django_db
def test_language_switch_form_sets_english(demo, client: Client) -> None:
    response = client.post(
        "/i18n/setlang/", {"language": "en", "next": "/estates/JX-E001/"}, follow=True
    )
    assert response.redirect_chain[-1][0] == "/estates/JX-E001/"
    assert "Who to call" in response.content.decode()
    # And back to Chinese.
    response = client.post(
        "/i18n/setlang/", {"language": "zh-hans", "next": "/estates/JX-E001/"}, follow=True
    )
    assert "遇到问题找谁" in response.content.decode()


@pytest.mark.django_db
def test_english_plural_on_staff_home(demo, login) -> None:
    client = login("office")
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    html = client.get("/").content.decode()
    assert "Estate notices" in html
    assert " estates</p>" in html or " estate</p>" in html
    assert "个小区" not in html


def _po_entries(path: Path) -> dict[str, str | tuple[str, ...]]:
    """msgid -> msgstr (or the tuple of plural forms) for every non-fuzzy entry."""
    entries: dict[str, str | tuple[str, ...]] = {}
    for block in path.read_text(encoding="utf-8").split("\n\n"):
        lines = block.strip().splitlines()
        if any(line.startswith("#,") and "fuzzy" in line for line in lines):
            continue
        fields: dict[str, str] = {}
        key = ""
        for line in lines:
            if line.startswith("#"):
                continue
            if line.startswith('"'):
                fields[key] += ast.literal_eval(line)
            else:
                key, _, value = line.partition(" ")
                fields[key] = ast.literal_eval(value)
        if "msgid" not in fields or not fields["msgid"]:
            continue
        if "msgid_plural" in fields:
            forms = sorted(k for k in fields if k.startswith("msgstr["))
            entries[fields["msgid"]] = tuple(fields[k] for k in forms)
        else:
            entries[fields["msgid"]] = fields["msgstr"]
    return entries


def test_english_catalog_is_translated_and_compiled() -> None:
    """CI does not run compilemessages: the committed .mo must match the .po."""
    po = _po_entries(EN_DIR / "django.po")
    assert len(po) > 200
    untranslated = [k for k, v in po.items() if not all(v if isinstance(v, tuple) else (v,))]
    assert untranslated == []
    with (EN_DIR / "django.mo").open("rb") as fh:
        mo = gettext.GNUTranslations(fh)
    for msgid, msgstr in po.items():
        if isinstance(msgstr, tuple):
            assert tuple(mo.ngettext(msgid, msgid, n) for n in (1, 2)) == msgstr, msgid
        else:
            assert mo.gettext(msgid) == msgstr, msgid
