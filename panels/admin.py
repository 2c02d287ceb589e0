"""Platform admin (superusers only, across partnerships): read and correct panel rows."""

from django.contrib import admin

from . import models


@admin.register(models.Panel)
class PanelAdmin(admin.ModelAdmin):
    list_display = ("name", "partnership", "area", "max_consecutive_terms", "is_active")
    list_filter = ("partnership", "is_active")
    search_fields = ("name",)


@admin.register(models.PanelMember)
class PanelMemberAdmin(admin.ModelAdmin):
    list_display = ("user", "seat", "starts_on", "ends_on", "is_chair", "partnership")
    list_filter = ("partnership",)


@admin.register(models.Meeting)
class MeetingAdmin(admin.ModelAdmin):
    list_display = ("panel", "starts_at", "place", "minutes_approved_at", "partnership")
    list_filter = ("partnership",)


@admin.register(models.Action)
class ActionAdmin(admin.ModelAdmin):
    list_display = ("description", "owner", "due_on", "status", "partnership")
    list_filter = ("status", "partnership")


@admin.register(models.Evaluation)
class EvaluationAdmin(admin.ModelAdmin):
    list_display = ("panel", "programme", "agreement", "judgement", "decided_at", "partnership")
    list_filter = ("judgement", "partnership")


@admin.register(models.Consultation)
class ConsultationAdmin(admin.ModelAdmin):
    list_display = ("title", "opens_at", "closes_at", "partnership")
    list_filter = ("partnership",)
    search_fields = ("title",)


@admin.register(models.ConsultationResponse)
class ConsultationResponseAdmin(admin.ModelAdmin):
    list_display = ("consultation", "respondent", "group", "submitted_at", "partnership")
    list_filter = ("group", "partnership")
