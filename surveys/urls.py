from django.urls import path

from . import views

app_name = "surveys"

urlpatterns = [
    path("surveys/", views.index, name="index"),
    path("surveys/settings/", views.survey_settings, name="settings"),
    path("surveys/rounds/new/", views.round_create, name="round_create"),
    path("surveys/rounds/<int:pk>/", views.round_detail, name="round"),
    path("surveys/rounds/<int:pk>/open/", views.round_open, name="round_open"),
    path("surveys/rounds/<int:pk>/close/", views.round_close, name="round_close"),
    path("surveys/rounds/<int:pk>/results/", views.round_results, name="results"),
    path("surveys/rounds/<int:pk>/results.csv", views.round_csv, name="results_csv"),
    path(
        "surveys/rounds/<int:pk>/areas/<int:area_pk>/identify/",
        views.round_identify,
        name="identify",
    ),
    path(
        "surveys/rounds/<int:pk>/schools/<int:school_pk>/",
        views.respond,
        name="respond",
    ),
    path("surveys/impact/", views.impact, name="impact"),
    path("surveys/impact/invitations/", views.invitations, name="invitations"),
    path(
        "surveys/impact/invitations/<int:pk>/retry/",
        views.invitation_retry,
        name="invitation_retry",
    ),
]
