"""Routes of the ledger (台账), its Excel export, unit metrics and printable forms."""

from django.urls import path  # noqa: F401

urlpatterns: list = []
