from django.urls import path

from gongzhi.catalog import views

app_name = "catalog"
urlpatterns = [
    path("", views.index, name="index"),
    path("route/", views.route_page, name="route"),
    path("<str:code>/", views.detail, name="detail"),
    path("<str:code>/import/", views.import_file, name="import"),
    path("<str:code>/export.<str:fmt>", views.export_file, name="export"),
]
