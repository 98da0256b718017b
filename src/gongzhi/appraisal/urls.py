from django.urls import include, path

from gongzhi.appraisal import assessment_views, review_views, views

app_name = "appraisal"
urlpatterns: list = [
    path("credit/", views.credit_index, name="credit"),
    path("credit/<int:pk>/", views.credit_company, name="company"),
    path("ranking/<str:code>/", views.ranking, name="ranking"),
    path("reviews/", review_views.review_list, name="reviews"),
    path("reviews/<int:pk>/", review_views.review_detail, name="review"),
    path("reviews/<int:pk>/results/", review_views.review_public, name="review_public"),
    path("rate/", review_views.rate, name="rate"),
    path("assessment/", include(assessment_views.urlpatterns)),
]
