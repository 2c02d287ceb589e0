from django.urls import path

from . import views

app_name = "reports"

urlpatterns = [
    path("reports/", views.index, name="index"),
    path("reports/terms/", views.term_list, name="terms"),
    path("reports/terms/new/", views.term_create, name="term_create"),
    path("reports/terms/<int:pk>/edit/", views.term_edit, name="term_edit"),
    path(
        "reports/terms/<int:term_pk>/schools/<int:school_pk>/",
        views.school_report,
        name="school_report",
    ),
    path(
        "reports/terms/<int:term_pk>/schools/<int:school_pk>/generate/",
        views.generate_school,
        name="generate_school",
    ),
    path("reports/terms/<int:term_pk>/board/", views.board_report, name="board_report"),
    path(
        "reports/terms/<int:term_pk>/board/generate/",
        views.generate_board,
        name="generate_board",
    ),
    path("reports/pdf/<str:token>/", views.run_status, name="run_status"),
    path("reports/pdf/<str:token>/retry/", views.retry, name="retry"),
    path("reports/pdf/<str:token>/download/", views.download, name="download"),
]
