"""``gongzhi serve``: run the site under granian, refusing to start when the port is taken.

granian binds with SO_REUSEPORT, so a second instance started on a busy port does not
fail: it silently shares the port with the old one, and after a redeploy some requests
are still answered by the old code. This command first binds the address itself without
SO_REUSEPORT, which fails while anything listens there; only then does it replace itself
with granian (same process id, so a service manager's signals reach granian directly).
"""

from __future__ import annotations

import errno
import os
import shutil
import socket
import sys
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext as _

TARGETS = {
    "wsgi": "gongzhi.config.wsgi:application",
    "asgi": "gongzhi.config.asgi:application",
}


def port_free(host: str, port: int) -> tuple[bool, str]:
    """Try to bind every address ``host`` resolves to, as a plain listener would (with
    SO_REUSEADDR, so connections of a stopped server in TIME_WAIT do not count, but
    without SO_REUSEPORT). (True, "") when all bind; else (False, why)."""
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM, flags=socket.AI_PASSIVE)
    except socket.gaierror as exc:
        return False, _("无法解析监听地址“%(host)s”：%(strerror)s") % {
            "host": host,
            "strerror": exc.strerror,
        }
    for family, kind, proto, _name, address in infos:
        with socket.socket(family, kind, proto) as sock:
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            try:
                sock.bind(address)
            except OSError as exc:
                if exc.errno == errno.EADDRINUSE:
                    return False, "in use"
                return False, _("无法监听 %(host)s:%(port)s：%(strerror)s") % {
                    "host": host,
                    "port": port,
                    "strerror": exc.strerror,
                }
    return True, ""


def granian_command(
    *,
    interface: str,
    host: str,
    port: int,
    workers: int,
    threads: int,
    max_rss: int | None,
    extra: list[str],
) -> list[str]:
    granian = shutil.which("granian", path=str(Path(sys.executable).parent)) or "granian"
    cmd = [
        granian,
        "--interface",
        interface,
        "--host",
        host,
        "--port",
        str(port),
        "--workers",
        str(workers),
        "--blocking-threads",
        str(threads),
        "--no-ws",
        "--respawn-failed-workers",
    ]
    if max_rss:
        cmd += ["--workers-max-rss", str(max_rss)]
    return [*cmd, *extra, TARGETS[interface]]


class Command(BaseCommand):
    help = "用 granian 启动网站；端口已被占用时拒绝启动（不与旧进程共用端口）"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--host", default="127.0.0.1", help=_("监听地址（默认 127.0.0.1）"))
        parser.add_argument("--port", type=int, default=8000, help=_("端口（默认 8000）"))
        parser.add_argument(
            "--workers",
            type=int,
            default=os.cpu_count() or 1,
            help=_("工作进程数（默认 CPU 核数）"),
        )
        parser.add_argument(
            "--threads", type=int, default=1, help=_("每个工作进程的线程数（默认 1）")
        )
        parser.add_argument(
            "--interface", choices=sorted(TARGETS), default="wsgi", help=_("wsgi（默认）或 asgi")
        )
        parser.add_argument(
            "--max-rss",
            type=int,
            default=None,
            metavar="MIB",
            help=_("工作进程内存超过此值（MiB）时重启该进程（granian --workers-max-rss）"),
        )
        parser.add_argument(
            "--print-command", action="store_true", help=_("只检查端口并打印 granian 命令，不启动")
        )
        parser.add_argument(
            "granian_args", nargs="*", help=_("其余参数原样交给 granian（写在 -- 之后）")
        )

    def handle(self, *args: Any, **o: Any) -> None:
        if o["workers"] < 1 or o["threads"] < 1:
            raise CommandError(_("--workers 和 --threads 至少为 1"))
        free, why = port_free(o["host"], o["port"])
        if not free:
            if why == "in use":
                raise CommandError(
                    _(
                        "端口 %(port)s 已被占用（%(host)s）：可能旧的 Gongzhi 进程仍在运行。请先停止它再启动（查看占用者：ss -ltnp 'sport = :%(port)s'）。为避免新旧版本同时应答请求，本命令不会与其共用端口。"
                    )
                    % {"port": o["port"], "host": o["host"]}
                )
            raise CommandError(why)
        cmd = granian_command(
            interface=o["interface"],
            host=o["host"],
            port=o["port"],
            workers=o["workers"],
            threads=o["threads"],
            max_rss=o["max_rss"],
            extra=list(o["granian_args"]),
        )
        self.stdout.write(
            _(
                "共治 Gongzhi：granian %(interface)s，%(workers)s 个进程 × %(threads)s 线程，http://%(host)s:%(port)s/（设置：%(get)s）"
            )
            % {
                "interface": o["interface"],
                "workers": o["workers"],
                "threads": o["threads"],
                "host": o["host"],
                "port": o["port"],
                "get": os.environ.get("DJANGO_SETTINGS_MODULE"),
            }
        )
        if o["print_command"]:
            self.stdout.write(" ".join(cmd))
            return
        self.stdout.flush()
        os.execv(cmd[0], cmd)
