"""Authentication for the JSON API: the browser session (with CSRF) for pages' own
calls. Apps add other schemes (tokens for integrations) next to this one."""

from ninja.security import django_auth

session_auth = django_auth
