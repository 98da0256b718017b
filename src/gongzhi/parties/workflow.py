"""When a report may move (002 (三)第五条): one table of moves, with the states each leaves
from; who may make them is access.py's ``can_answer_report``."""

from __future__ import annotations

from gongzhi.parties.models import Report

S = Report.State

# move → (states it leaves from, state it goes to)
REPORT_MOVES: dict[str, tuple[frozenset[str], str]] = {
    "acknowledge": (frozenset({S.SUBMITTED}), S.ACKNOWLEDGED),
    "answer": (frozenset({S.SUBMITTED, S.ACKNOWLEDGED}), S.ANSWERED),
}


def moves_from(state: str) -> list[str]:
    return [name for name, (sources, _to) in REPORT_MOVES.items() if state in sources]
