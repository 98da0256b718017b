from django.urls import path

from gongzhi.meetings import views

app_name = "meetings"
urlpatterns = [
    path("", views.index, name="index"),
    path("calendar/", views.calendar_view, name="calendar"),
    path("inbox/", views.inbox, name="inbox"),
    path("bodies/<int:pk>/", views.body_detail, name="body"),
    path("bodies/<int:pk>/summary/", views.summary, name="summary"),
    path("bodies/<int:body_pk>/propose/", views.topic_propose, name="topic_propose"),
    path("topics/", views.topics, name="topics"),
    path("topics/<int:pk>/", views.topic_detail, name="topic_detail"),
    path("topics/<int:pk>/review/", views.topic_review, name="topic_review"),
    path("m/<int:pk>/", views.meeting_detail, name="meeting"),
    path("m/<int:pk>/agenda/", views.agenda_builder, name="agenda"),
    path("m/<int:pk>/cases/", views.agenda_builder, name="case_topic"),
    path("m/<int:pk>/notice/", views.notice, name="notice"),
    path("m/<int:pk>/attendance/", views.attendance, name="attendance"),
    path("m/<int:pk>/minutes/", views.minutes_editor, name="minutes"),
    path("decisions/", views.decisions_board, name="decisions"),
    path("decisions/<int:pk>/", views.decision_detail, name="decision"),
    path("public/minutes/<int:pk>/", views.public_minutes, name="public_minutes"),
]
