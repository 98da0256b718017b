from django.urls import include, path

from gongzhi.appraisal import assessment_views, review_views, social_views, views

app_name = "appraisal"
urlpatterns: list = [
    path("credit/", views.credit_index, name="credit"),
    path("credit/<int:pk>/", views.credit_company, name="company"),
    path("ranking/<str:code>/", views.ranking, name="ranking"),
    path("reviews/", review_views.review_list, name="reviews"),
    path("reviews/<int:pk>/", review_views.review_detail, name="review"),
    path("reviews/<int:pk>/results/", review_views.review_public, name="review_public"),
    path(
        "reviews/<int:pk>/reports/<int:report>/",
        review_views.review_report,
        name="review_report",
    ),
    path("rate/", review_views.rate, name="rate"),
    path("assessment/", include(assessment_views.urlpatterns)),
    path("satisfaction/", social_views.satisfaction_index, name="satisfaction_index"),
    path("satisfaction/<int:pk>/", social_views.satisfaction_detail, name="satisfaction"),
    path(
        "satisfaction/<int:pk>/results/",
        social_views.satisfaction_public,
        name="satisfaction_public",
    ),
    path("survey/<int:pk>/", social_views.survey, name="survey"),
    path("awards/<str:code>/<int:year>/", social_views.proposals, name="proposals"),
]
