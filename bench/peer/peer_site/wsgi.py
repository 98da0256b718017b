"""The WSGI application, and granian's target for the benchmark: a factory that loads the
URL configuration before the first request and writes a file in GONGZHI_BENCH_READY_DIR
saying this worker is ready (as gongzhi.bench.server.bench_application does for Gongzhi),
so that the measurement starts only when every worker has loaded the app."""

import os
from pathlib import Path

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "peer_site.settings")
application = get_wsgi_application()


def bench_application():
    from django.urls import get_resolver

    get_resolver().url_patterns  # noqa: B018 — import every URL module now
    ready = os.environ.get("GONGZHI_BENCH_READY_DIR")
    if ready:
        Path(ready, str(os.getpid())).touch()
    return application
