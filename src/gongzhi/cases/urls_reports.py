"""Routes of the ledger (台账), its Excel export, unit metrics and printable forms."""

from django.urls import path

from gongzhi.cases import reports
from gongzhi.cases.views import filters

urlpatterns: list = [
    path("ledger/", reports.ledger_page, name="ledger"),
    path("ledger.xlsx", reports.ledger_export, name="ledger_export"),
    path("ledger/filters/", filters.filter_save, name="filter_save"),
    path("ledger/filters/<int:pk>/delete/", filters.filter_delete, name="filter_delete"),
    path("metrics/", reports.metrics_page, name="metrics"),
    path("metrics.xlsx", reports.metrics_export, name="metrics_export"),
    path("metrics/<slug:unit>/<slug:metric>/", reports.metric_cases_page, name="metric_cases"),
    path("<str:number>/report-form.pdf", reports.report_form_pdf, name="report_form_pdf"),
]
