"""Issue 8: ``gongzhi demo`` ran the cases sweep in-process while it served, not the
meetings sweep, so the demo's decisions never fell overdue and its meetings were never
flagged. ``meetings.demo.on_serve`` starts it, through the command's hooks."""

from __future__ import annotations

import datetime as dt
import io
import threading
from typing import Any

import pytest
from django.core.management import call_command

from gongzhi.common.workcal import SHANGHAI
from gongzhi.meetings.models import Meeting
from gongzhi.meetings.workflow import MeetingState

pytestmark = pytest.mark.django_db


class _Thread:
    """Records the threads the command's hooks start, without starting them."""

    started: list[_Thread] = []

    def __init__(self, target: Any = None, args: tuple[Any, ...] = (), name: str = "", **kw: Any):
        self.target, self.args, self.name = target, args, name

    def start(self) -> None:
        _Thread.started.append(self)


def test_the_demo_command_runs_the_meetings_sweep_while_it_serves(
    demo, monkeypatch, at_demo_now
) -> None:
    from gongzhi.site.management.commands import demo as command

    _Thread.started = []
    monkeypatch.setattr(threading, "Thread", _Thread)
    served: list[str] = []
    real = command.call_command

    def call(name: str, *args: Any, **kw: Any) -> Any:
        if name == "runserver":
            served.append(name)
            return None
        return real(name, *args, **kw)

    monkeypatch.setattr(command, "call_command", call)
    call_command("demo", stdout=io.StringIO())
    assert served == ["runserver"]
    sweeps = [t for t in _Thread.started if t.name == "gongzhi-meetings-sweep"]
    assert len(sweeps) == 1

    # One round of that thread (stopped at once), a fortnight after the demo's "now":
    # its November meetings were not held.
    at_demo_now.move_to(dt.datetime(2026, 11, 16, 9, 0, tzinfo=SHANGHAI))
    stop = sweeps[0].args[0]
    stop.set()
    monkeypatch.setattr("django.db.close_old_connections", lambda: None)  # the test's own
    sweeps[0].target(*sweeps[0].args)
    assert Meeting.objects.filter(state=MeetingState.MISSED).exists()
