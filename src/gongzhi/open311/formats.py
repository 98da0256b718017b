"""GeoReport v2's two formats: JSON, and XML written with the standard library's
ElementTree. Every answer is a list of records under a root element whose name the
standard fixes (``services``/``service``, ``service_requests``/``request``,
``errors``/``error``); a record's values are text, booleans, numbers, nested lists
(a definition's ``attributes`` and their ``values``) or None (an empty element)."""

from __future__ import annotations

import datetime as dt
import json
import re
from typing import Any
from xml.etree import ElementTree as ET

from django.http import HttpResponse
from django.utils import timezone

from gongzhi.common.errors import DomainError, InvalidInput

FORMATS = ("json", "xml")
# How each list nests in XML: the element of the list → the element of each item.
ITEM_TAGS = {
    "services": "service",
    "service_requests": "request",
    "errors": "error",
    "attributes": "attribute",
    "values": "value",
}


def w3c(value: dt.datetime | None) -> str | None:
    """A time as the standard writes it (W3C, with the offset), in local time."""
    if value is None:
        return None
    return timezone.localtime(value).replace(microsecond=0).isoformat()


# Characters XML 1.0 cannot hold (control characters a request may carry and an error
# may quote back): written as U+FFFD, or the document would not parse.
_NOT_XML = re.compile("[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")


def _text(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return _NOT_XML.sub("\ufffd", str(value))


def _fill(parent: ET.Element, record: dict[str, Any]) -> None:
    for key, value in record.items():
        child = ET.SubElement(parent, key)
        if isinstance(value, list):
            item_tag = ITEM_TAGS.get(key, "item")
            for item in value:
                node = ET.SubElement(child, item_tag)
                if isinstance(item, dict):
                    _fill(node, item)
                else:
                    node.text = _text(item)
        elif value is not None:
            child.text = _text(value)


def to_xml(root: str, records: list[dict[str, Any]] | dict[str, Any]) -> bytes:
    """``records`` as a list under ``root`` (each item named by ``ITEM_TAGS``), or one
    record's fields directly under ``root`` (a service definition)."""
    top = ET.Element(root)
    if isinstance(records, dict):
        _fill(top, records)
    else:
        for record in records:
            _fill(ET.SubElement(top, ITEM_TAGS[root]), record)
    return ET.tostring(top, encoding="utf-8", xml_declaration=True)


def render(
    fmt: str, root: str, records: list[dict[str, Any]] | dict[str, Any], status: int = 200
) -> HttpResponse:
    if fmt == "xml":
        return HttpResponse(
            to_xml(root, records), status=status, content_type="application/xml; charset=utf-8"
        )
    body = json.dumps(records, ensure_ascii=False, default=str)
    return HttpResponse(body, status=status, content_type="application/json; charset=utf-8")


def error(fmt: str, status: int, descriptions: list[str]) -> HttpResponse:
    """The standard's error answer: ``[{"code": 400, "description": "…"}]``."""
    return render(fmt, "errors", [{"code": status, "description": d} for d in descriptions], status)


def domain_error(fmt: str, exc: DomainError) -> HttpResponse:
    """A service's refusal in the standard format: a field-by-field validation failure
    is a 400 with one error per field; other refusals keep their status (403, 404, 409)."""
    if isinstance(exc, InvalidInput):
        return error(fmt, 400, [str(e) for e in exc.errors] or [exc.message])
    return error(fmt, exc.status, [exc.message])
