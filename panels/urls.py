from django.urls import path

from . import views, views_consultations

app_name = "panels"

urlpatterns = [
    path("panels/", views.index, name="index"),
    path("panels/new/", views.panel_create, name="create"),
    path("panels/<int:pk>/", views.panel_detail, name="detail"),
    path("panels/<int:pk>/edit/", views.panel_edit, name="edit"),
    path("panels/<int:pk>/seats/new/", views.seat_add, name="seat_add"),
    path("panels/seats/<int:pk>/terms/new/", views.term_add, name="term_add"),
    path("panels/<int:pk>/needs/new/", views.need_create, name="need_create"),
    path("panels/needs/<int:pk>/", views.need_detail, name="need_detail"),
    path("panels/needs/<int:pk>/evidence/", views.need_evidence, name="need_evidence"),
    path("panels/needs/<int:pk>/call/", views.need_call, name="need_call"),
    path("panels/<int:pk>/meetings/new/", views.meeting_create, name="meeting_create"),
    path("panels/meetings/<int:pk>/", views.meeting_detail, name="meeting_detail"),
    path("panels/meetings/<int:pk>/edit/", views.meeting_edit, name="meeting_edit"),
    path("panels/meetings/<int:pk>/calendar.ics", views.meeting_calendar, name="meeting_calendar"),
    path("panels/meetings/<int:pk>/items/new/", views.item_add, name="item_add"),
    path("panels/meetings/<int:pk>/approve/", views.minutes_approve, name="minutes_approve"),
    path("panels/meetings/<int:pk>/attendance/", views.attendance, name="attendance"),
    path("panels/meetings/<int:pk>/actions/new/", views.action_add, name="action_add"),
    path("panels/items/<int:pk>/minutes/", views.item_minutes, name="item_minutes"),
    path("panels/actions/<int:pk>/status/", views.action_status, name="action_status"),
    path("panels/meetings/<int:pk>/invite/", views.meeting_invite, name="meeting_invite"),
    path("panels/meetings/<int:pk>/minutes.pdf", views.minutes_pdf, name="minutes_pdf"),
    path("panels/decisions/", views.decisions, name="decisions"),
    path("panels/<int:pk>/evaluations/", views.evaluations, name="evaluations"),
    path(
        "panels/<int:pk>/evaluations/programmes/<int:subject>/",
        views.evaluation_programme,
        name="evaluation_programme",
    ),
    path(
        "panels/<int:pk>/evaluations/agreements/<int:subject>/",
        views.evaluation_agreement,
        name="evaluation_agreement",
    ),
    # Consultations (panels/views_consultations.py)
    path("panels/consultations/", views_consultations.index, name="consultations"),
    path(
        "panels/consultations/new/",
        views_consultations.create,
        name="consultation_create",
    ),
    path(
        "panels/consultations/<int:pk>/",
        views_consultations.detail,
        name="consultation_detail",
    ),
    path(
        "panels/consultations/<int:pk>/edit/",
        views_consultations.edit,
        name="consultation_edit",
    ),
    path(
        "panels/consultations/<int:pk>/sections/new/",
        views_consultations.section_add,
        name="consultation_section_add",
    ),
    path(
        "panels/consultations/sections/<int:pk>/questions/new/",
        views_consultations.question_add,
        name="consultation_question_add",
    ),
    path(
        "panels/consultations/<int:pk>/respond/",
        views_consultations.respond,
        name="consultation_respond",
    ),
    path(
        "panels/consultations/<int:pk>/responses/",
        views_consultations.collation,
        name="consultation_collation",
    ),
    path(
        "panels/consultations/<int:pk>/responses.csv",
        views_consultations.collation_csv,
        name="consultation_csv",
    ),
    path(
        "panels/consultations/<int:pk>/responses.pdf",
        views_consultations.collation_pdf,
        name="consultation_pdf",
    ),
]
