"""Routes of the ledger (台账), its Excel export, unit metrics and printable forms."""

from django.urls import path

from gongzhi.cases import reports

urlpatterns: list = [
    path("ledger/", reports.ledger_page, name="ledger"),
    path("ledger.xlsx", reports.ledger_export, name="ledger_export"),
    path("metrics/", reports.metrics_page, name="metrics"),
    path("metrics.xlsx", reports.metrics_export, name="metrics_export"),
    path("metrics/<slug:unit>/<slug:metric>/", reports.metric_cases_page, name="metric_cases"),
    path("<str:number>/report-form.pdf", reports.report_form_pdf, name="report_form_pdf"),
]
