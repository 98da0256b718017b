from django.urls import path  # noqa: F401

from gongzhi.cases.urls_reports import urlpatterns as report_urlpatterns

app_name = "cases"
# Work pages (desk, inbox, case page, resident pages) are listed here; the ledger, its
# export, metrics and the printable forms in urls_reports.py.
urlpatterns: list = [*report_urlpatterns]
