from django.urls import path

from gongzhi.stats import views

app_name = "stats"
urlpatterns: list = [
    path("", views.dashboard, name="dashboard"),
    path("street/<slug:code>/", views.street_dashboard, name="street"),
    path("unit/<slug:code>/", views.unit_dashboard, name="unit"),
    path("exports/<slug:kind>/", views.export_page, name="export"),
    path("imports/", views.import_page, name="import"),
    path("imports/template.xlsx", views.import_template, name="import_template"),
    path("jobs/", views.jobs_page, name="jobs"),
    path("jobs/<int:pk>/", views.job_page, name="job"),
    path("jobs/<int:pk>/progress/", views.job_progress, name="job_progress"),
    path("jobs/<int:pk>/cancel/", views.job_cancel_view, name="job_cancel"),
    path("jobs/<int:pk>/download/", views.job_download, name="job_download"),
]
