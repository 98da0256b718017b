"""The ``gongzhi`` command: Django's management commands with Gongzhi's settings.

gongzhi demo [--port N] [--reset]
gongzhi route --estate CODE --matter CODE
gongzhi catalog import FILE --jurisdiction CODE
gongzhi catalog export --jurisdiction CODE --format yaml|xlsx
gongzhi calendar import FILE | gongzhi calendar status
gongzhi serve [--host H] [--port N] [--workers N]
gongzhi bench intake|crash|router
gongzhi router eval FILE [--estate CODE]
"""

from __future__ import annotations

import os
import sys

from django.core.management import BaseCommand, ManagementUtility

# Small commands that read or write a few rows skip Django's system checks: the checks
# import the whole URL conf (every view, the JSON API and its schemas, the PDF and Excel
# libraries) to inspect it, which took most of these commands' start-up time. ``gongzhi
# check``, ``migrate``, ``runserver`` and every other command still run all checks.
QUICK_COMMANDS = frozenset({"route", "token", "sweep", "meetings_sweep", "calendar"})


class GongzhiUtility(ManagementUtility):
    def fetch_command(self, subcommand: str) -> BaseCommand:
        command = super().fetch_command(subcommand)
        if subcommand in QUICK_COMMANDS:
            command.requires_system_checks = []
        return command


def main() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "gongzhi.config.settings.dev")
    GongzhiUtility(sys.argv).execute()


if __name__ == "__main__":
    main()
