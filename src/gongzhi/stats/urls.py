from django.urls import path

from gongzhi.stats import views

app_name = "stats"
urlpatterns: list = [
    path("", views.dashboard, name="dashboard"),
    path("street/<slug:code>/", views.street_dashboard, name="street"),
    path("unit/<slug:code>/", views.unit_dashboard, name="unit"),
]
