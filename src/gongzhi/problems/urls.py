from django.urls import path

from gongzhi.problems import views

app_name = "problems"
urlpatterns = [
    path("", views.index, name="index"),
    path("estates/<str:code>/", views.estate, name="estate"),
    path("estates/<str:code>/<slug:name>/", views.estate_act, name="estate_act"),
    path("from-case/<str:number>/", views.from_case, name="from_case"),
    path("early/<int:pk>/", views.matter, name="matter"),
    path("early/<int:pk>/<slug:name>/", views.matter_act, name="matter_act"),
    path("<int:pk>/", views.detail, name="detail"),
    path("<int:pk>/record/", views.record, name="record"),
    path("<int:pk>/act/<slug:name>/", views.act, name="act"),
]
