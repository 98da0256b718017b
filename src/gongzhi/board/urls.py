from django.urls import path

from gongzhi.board import views

app_name = "board"
urlpatterns = [
    path("estates/<str:code>/", views.estate, name="estate"),
    path("estates/<str:code>/poster.pdf", views.poster, name="poster"),
]
