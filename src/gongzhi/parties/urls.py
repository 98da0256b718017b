from django.urls import path

from gongzhi.parties import views, views_outages

app_name = "parties"
urlpatterns = [
    path("", views.index, name="index"),
    path("estates/<str:code>/notices/", views.estate_notices, name="estate_notices"),
    path("estates/<str:code>/notices/publish/", views.publish, name="publish"),
    path("notices/<int:pk>/", views.notice_history, name="notice"),
    path("notices/<int:pk>/<slug:name>/", views.notice_act, name="notice_act"),
    path("circulars/", views.circulars, name="circulars"),
    path("circulars/<int:pk>/", views.circular_detail, name="circular"),
    path("circulars/<int:pk>/pdf/", views.circular_pdf, name="circular_pdf"),
    path("estates/<str:code>/circulars/new/", views.circular_new, name="circular_new"),
    path("reports/", views.reports, name="reports"),
    path("reports/<int:pk>/", views.report_detail, name="report"),
    path("reports/<int:pk>/pdf/", views.report_pdf, name="report_pdf"),
    path("reports/<int:pk>/<slug:name>/", views.report_act, name="report_act"),
    path("estates/<str:code>/reports/new/", views.report_new, name="report_new"),
    path("estates/<str:code>/custody/", views.custody, name="custody"),
    path("custody/<int:pk>/hand-over/", views.custody_hand_over, name="custody_hand_over"),
    path("custody/<int:pk>/end/", views.custody_act, {"name": "end"}, name="custody_end"),
    path("utility-works/<int:pk>/", views.utility_work, name="utility_work"),
    path("outages/", views_outages.outages, name="outages"),
    path("outages/<int:pk>/", views_outages.outage, name="outage"),
    path("outages/<int:pk>/<slug:name>/", views_outages.outage_act, name="outage_act"),
    path("outage-tasks/<int:pk>/done/", views_outages.task_done, name="outage_task_done"),
    path("cases/<str:number>/outage/", views_outages.case_outage, name="case_outage"),
]
