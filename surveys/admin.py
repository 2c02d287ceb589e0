"""Platform admin (superusers only, across partnerships): rounds, settings, and where each
impact invitation stands. Answers are not shown here: they are read through the portal's
results pages, which keep small groups anonymous."""

from django.contrib import admin

from . import models


@admin.register(models.SurveySettings)
class SurveySettingsAdmin(admin.ModelAdmin):
    list_display = (
        "partnership",
        "start_offset_days",
        "end_offset_days",
        "follow_up_offset_days",
        "max_reminders",
        "link_valid_days",
        "updated_at",
    )
    list_select_related = ("partnership",)


@admin.register(models.NeedsSurveyRound)
class NeedsSurveyRoundAdmin(admin.ModelAdmin):
    list_display = ("name", "academic_year", "partnership", "status", "deadline")
    list_filter = ("status", "partnership")
    search_fields = ("name",)
    list_select_related = ("partnership",)
    readonly_fields = ("created_by", "opened_at", "closed_at")


@admin.register(models.ImpactInvitation)
class ImpactInvitationAdmin(admin.ModelAdmin):
    list_display = (
        "full_name",
        "email",
        "point",
        "status",
        "due_on",
        "sent_at",
        "reminders_sent",
        "partnership",
    )
    list_filter = ("status", "point", "partnership")
    search_fields = ("full_name", "email")
    list_select_related = ("partnership",)
    exclude = ("nonce",)

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
