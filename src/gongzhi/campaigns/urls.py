from django.urls import path

from gongzhi.campaigns import views

app_name = "campaigns"
urlpatterns = [
    path("", views.index, name="index"),
    path("<int:pk>/", views.detail, name="detail"),
    path("<int:pk>/form/", views.form_edit, name="form_edit"),
    path("<int:pk>/estates/<str:code>/", views.survey, name="survey"),
    path("<int:pk>/import/", views.survey_import, name="import"),
    path("<int:pk>/reports/", views.report_file, name="report_file"),
    path("<int:pk>/export.xlsx", views.export, name="export"),
    path("<int:pk>/template.xlsx", views.template, name="template"),
]
