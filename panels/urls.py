from django.urls import path

from . import views

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
]
