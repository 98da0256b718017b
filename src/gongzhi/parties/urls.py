from django.urls import path

from gongzhi.parties import views

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
    path("utility-works/<int:pk>/", views.utility_work, name="utility_work"),
]
