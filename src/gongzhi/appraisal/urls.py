from django.urls import path

from gongzhi.appraisal import views

app_name = "appraisal"
urlpatterns: list = [
    path("credit/", views.credit_index, name="credit"),
    path("credit/<int:pk>/", views.credit_company, name="company"),
    path("ranking/<str:code>/", views.ranking, name="ranking"),
]
