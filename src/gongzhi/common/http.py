"""Request types for views, so the type checker knows what middleware adds."""

from __future__ import annotations

from django.http import HttpRequest
from django_htmx.middleware import HtmxDetails


class HtmxHttpRequest(HttpRequest):
    """A request after django-htmx's HtmxMiddleware, which sets ``request.htmx`` (as the
    django-htmx docs suggest for type checking). Only used in annotations."""

    htmx: HtmxDetails
