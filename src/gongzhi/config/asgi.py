import os

from django.core.asgi import get_asgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "gongzhi.config.settings.production")
django_application = get_asgi_application()

from gongzhi.common.uploads import asgi_request_cap  # noqa: E402 (after Django is set up)

# Django's ASGI handler reads the whole body before any middleware: cap it in front.
application = asgi_request_cap(django_application)
