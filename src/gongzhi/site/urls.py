from django.urls import path

from gongzhi.site import views

app_name = "site"
urlpatterns = [
    path("notices/", views.notices, name="notices"),
    path("notices/read/", views.notices_read, name="notices_read"),
]
