"""The small commands start without the heavy libraries only some paths need (the JSON
API's framework, Excel, PDF, images) and without the system checks that would import the
whole URL conf. Timings are in docs/performance.md; this guards the imports."""

from __future__ import annotations

import json
import os
import subprocess
import sys

from gongzhi.cli import QUICK_COMMANDS, GongzhiUtility

HEAVY = ("ninja", "pydantic", "openpyxl", "reportlab", "PIL", "celery")
# Set Django up as the gongzhi command does, load the named commands' modules, and print
# which of the heavy top-level packages are then imported.
PROBE = """
import json, os, sys
os.environ["DJANGO_SETTINGS_MODULE"] = "gongzhi.config.settings.test"
import django
django.setup()
from django.core.management import get_commands, load_command_class
commands = get_commands()
for name in sys.argv[2:]:
    load_command_class(commands[name], name)
heavy = set(sys.argv[1].split(","))
print(json.dumps(sorted({m.split(".")[0] for m in sys.modules} & heavy)))
"""


def heavy_imports(*commands: str) -> list[str]:
    result = subprocess.run(
        [sys.executable, "-c", PROBE, ",".join(HEAVY), *commands],
        capture_output=True,
        text=True,
        check=True,
        env={k: v for k, v in os.environ.items() if k != "DJANGO_SETTINGS_MODULE"},
    )
    found: list[str] = json.loads(result.stdout)
    return found


def test_setup_and_small_commands_load_no_heavy_library() -> None:
    assert heavy_imports("route", "sweep", "calendar", "meetings_sweep") == []


def test_the_token_command_needs_only_the_api_framework() -> None:
    # gongzhi.common.apiauth defines its bearer class on ninja's at import.
    assert set(heavy_imports("token")) <= {"ninja", "pydantic"}


def test_small_commands_skip_the_system_checks() -> None:
    utility = GongzhiUtility(["gongzhi"])
    for name in QUICK_COMMANDS:
        assert utility.fetch_command(name).requires_system_checks == [], name
    assert utility.fetch_command("migrate").requires_system_checks == "__all__"
    assert utility.fetch_command("catalog").requires_system_checks == "__all__"
