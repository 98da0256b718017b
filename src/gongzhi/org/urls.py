from django.contrib.auth import views as auth_views
from django.urls import path

from gongzhi.org import views

app_name = "org"
urlpatterns = [
    path("", views.home, name="home"),
    path("estates/", views.estates, name="estates"),
    path("units/", views.units, name="units"),
    path("units/<str:code>/", views.unit_detail, name="unit_detail"),
    path("bodies/<int:pk>/", views.body_detail, name="body_detail"),
]

# Login and logout keep Django's own names ("login", "logout"), outside the namespace.
auth_urlpatterns = [
    path("accounts/login/", auth_views.LoginView.as_view(), name="login"),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
]
