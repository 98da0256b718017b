"""Notes other apps add to the case page. An app above cases (parties: the outage a case
is linked to) registers a function in its AppConfig.ready(); cases never imports it. Each
function gets the reader and the case and returns a note (title, text, link) or None."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from gongzhi.cases.models import Case


@dataclass(frozen=True)
class PanelNote:
    title: str
    text: str
    url: str = ""
    link_label: str = ""


Panel = Callable[[Any, Case], PanelNote | None]
PANELS: list[Panel] = []


def register(panel: Panel) -> Panel:
    if panel not in PANELS:
        PANELS.append(panel)
    return panel


def notes(user: Any, case: Case) -> list[PanelNote]:
    found = (panel(user, case) for panel in PANELS)
    return [n for n in found if n is not None]
