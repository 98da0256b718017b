"""The ``gongzhi`` command: Django's management commands with Gongzhi's settings.

gongzhi demo [--port N] [--reset]
gongzhi route --estate CODE --matter CODE
gongzhi catalog import FILE --jurisdiction CODE
gongzhi catalog export --jurisdiction CODE --format yaml|xlsx
gongzhi serve [--host H] [--port N] [--workers N]
gongzhi bench intake|crash
"""

from __future__ import annotations

import os
import sys


def main() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "gongzhi.config.settings.dev")
    from django.core.management import execute_from_command_line

    execute_from_command_line(sys.argv)


if __name__ == "__main__":
    main()
