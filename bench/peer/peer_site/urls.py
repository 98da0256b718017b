"""django-helpdesk at the root, as its install instructions show; its REST API is then
at /api/ (POST /api/tickets/ creates a ticket)."""

from django.contrib import admin
from django.urls import include, path

urlpatterns = [
    path("admin/", admin.site.urls),
    path("", include("helpdesk.urls", namespace="helpdesk")),
]
