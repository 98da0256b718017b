"""What the case page tests share: a demo user, a registered case, a small PNG, a table row."""

from __future__ import annotations

from io import BytesIO
from typing import Any

from PIL import Image

from gongzhi.cases import services as s
from gongzhi.cases.models import Case
from gongzhi.org.models import User


def png(color: str = "red") -> bytes:
    out = BytesIO()
    Image.new("RGB", (40, 30), color).save(out, "PNG")
    return out.getvalue()


def user(name: str) -> User:
    return User.objects.get(username=name)


def register(**kw: Any) -> Case:
    data: dict[str, Any] = {
        "channel": "12345",
        "estate": "JX-E001",
        "title": "楼道垃圾没清",
        "description": "3 号楼楼道垃圾没清，已经一周",
        "reporter_name": "王小明",
        "reporter_phone": "13912345678",
        "building": "3",
        "room": "502",
    }
    data.update(kw)
    return s.case_register(**data)


def row(html: str, marker: str) -> str:
    """The table row of the page that holds ``marker``."""
    at = html.index(marker)
    return html[html.rindex("<tr", 0, at) : html.index("</tr>", at)]
