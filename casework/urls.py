from django.urls import path

from . import views

app_name = "casework"

urlpatterns = [
    path("casework/", views.dashboard, name="dashboard"),
    path("casework/schools/<int:pk>/", views.school_casework, name="school"),
    path("casework/schools/<int:pk>/adviser/", views.reassign, name="reassign"),
    path("casework/teams/", views.teams, name="teams"),
    path("casework/teams/new/", views.team_create, name="team_create"),
    path("casework/teams/<int:pk>/", views.team_edit, name="team_edit"),
    path("casework/visits/new/", views.visit_start, name="visit_start"),
    path("casework/visits/<int:pk>/", views.visit_detail, name="visit_detail"),
    path("casework/visits/<int:pk>/edit/", views.visit_edit, name="visit_edit"),
    path("casework/visits/<int:pk>/autosave/", views.visit_autosave, name="visit_autosave"),
    path("casework/visits/<int:pk>/actions/new/", views.action_add, name="action_add"),
    path("casework/visits/<int:pk>/comments/new/", views.comment_add, name="comment_add"),
    path("casework/actions/<int:pk>/progress/", views.action_update, name="action_update"),
    path("casework/rounds/", views.rounds, name="rounds"),
    path("casework/rounds/new/", views.round_create, name="round_create"),
    path("casework/rounds/<int:pk>/", views.round_detail, name="round_detail"),
    path("casework/rounds/<int:pk>/edit/", views.round_edit, name="round_edit"),
    path("casework/rounds/<int:pk>/advance/", views.round_advance, name="round_advance"),
    path("casework/records/<int:pk>/", views.record_detail, name="record_detail"),
    path(
        "casework/records/<int:pk>/self-evaluation/",
        views.self_evaluation,
        name="self_evaluation",
    ),
    path("casework/records/<int:pk>/proposal/", views.propose, name="propose"),
    path("casework/records/<int:pk>/moderation/", views.moderate, name="moderate"),
    path("casework/records/<int:pk>/response/", views.respond, name="respond"),
]
