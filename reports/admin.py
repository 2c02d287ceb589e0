"""Platform admin (superusers only, across partnerships): see report generations and why
one failed. Runs are made by the portal, not here, so the admin only reads them."""

from django.contrib import admin

from . import models


@admin.register(models.ReportRun)
class ReportRunAdmin(admin.ModelAdmin):
    list_display = (
        "kind",
        "school",
        "term",
        "version",
        "language",
        "status",
        "attempts",
        "partnership",
        "created_at",
        "finished_at",
    )
    list_filter = ("status", "kind", "partnership")
    search_fields = ("school__name", "schedule_key", "error")
    list_select_related = ("school", "term", "partnership")
    date_hierarchy = "created_at"

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
