from django.urls import path

from gongzhi.notify import views

app_name = "notify"
urlpatterns = [
    path("outbox/", views.outbox, name="outbox"),
    path("outbox/<int:pk>/", views.message, name="message"),
    path("outbox/<int:pk>/retry/", views.message_retry, name="message_retry"),
    path("preferences/", views.preferences, name="preferences"),
]
