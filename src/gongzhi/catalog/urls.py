from django.urls import path

from gongzhi.catalog import views, views_office

app_name = "catalog"
urlpatterns = [
    path("", views.index, name="index"),
    path("route/", views.route_page, name="route"),
    path("examples/<int:pk>/disable/", views_office.example_disable, name="example_disable"),
    path("versions/<int:pk>/activate/", views_office.version_activate, name="version_activate"),
    path("proposals/<int:pk>/decide/", views_office.proposal_decide, name="proposal_decide"),
    path("<str:code>/", views.detail, name="detail"),
    path("<str:code>/import/", views.import_file, name="import"),
    path("<str:code>/export.<str:fmt>", views.export_file, name="export"),
    path("<str:code>/examples/", views_office.examples, name="examples"),
    path("<str:code>/versions/", views_office.versions, name="versions"),
    path("<str:code>/versions/rollback/", views_office.version_rollback, name="version_rollback"),
    path("<str:code>/proposals/", views_office.proposals, name="proposals"),
]
