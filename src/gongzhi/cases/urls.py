from django.urls import path

from gongzhi.cases import views
from gongzhi.cases.urls_reports import urlpatterns as report_urlpatterns

app_name = "cases"
# Work pages (desk, inbox, case page, resident pages) are listed here; the ledger, its
# export, metrics and the printable forms in urls_reports.py (listed first, so their fixed
# paths win over "<number>/").
urlpatterns: list = [
    *report_urlpatterns,
    path("desk/", views.desk, name="desk"),
    path("desk/bulk/", views.desk_bulk, name="desk_bulk"),
    path("desk/repeats/", views.desk_repeats, name="desk_repeats"),
    path("inbox/", views.inbox, name="inbox"),
    path("inbox/notifications/read/", views.notifications_read, name="notifications_read"),
    path("intake/", views.intake, name="intake"),
    path("intake/estates/", views.intake_estates, name="intake_estates"),
    path("intake/caller/", views.intake_caller, name="intake_caller"),
    path("intake/hints/", views.intake_hints, name="intake_hints"),
    path("mine/", views.mine, name="mine"),
    path("report/", views.report, name="report"),
    path("report/matters/", views.report_matters, name="report_matters"),
    path("report/suggest/", views.report_suggest, name="report_suggest"),
    path("track/", views.track, name="track"),
    path("follow/<str:token>/", views.follow, name="follow"),
    path("follow/<str:token>/rate/", views.follow_rate, name="follow_rate"),
    path("follow/<str:token>/stop/", views.follow_stop, name="follow_stop"),
    path("follow/<str:token>/files/<int:pk>/", views.follow_file, name="follow_file"),
    path("<str:number>/", views.case_detail, name="detail"),
    path("<str:number>/act/<slug:action>/", views.case_act, name="act"),
    path("<str:number>/files/<int:pk>/", views.attachment, name="attachment"),
]
