"""Platform admin (superusers only, across partnerships) for peer-review structure.

Evidence, findings and responses are deliberately not registered: they are confidential to
the reviewed school, its review team and those it shares them with, and a platform
superuser is none of those. The access log is shown read-only (it is append-only).
"""

from django.contrib import admin

from . import models


@admin.register(models.Framework)
class FrameworkAdmin(admin.ModelAdmin):
    list_display = ("name", "partnership", "created_at")
    list_filter = ("partnership",)
    search_fields = ("name",)


@admin.register(models.FrameworkVersion)
class FrameworkVersionAdmin(admin.ModelAdmin):
    list_display = ("framework", "number", "status", "published_at", "partnership")
    list_filter = ("status", "partnership")


@admin.register(models.Cycle)
class CycleAdmin(admin.ModelAdmin):
    list_display = ("name", "academic_year", "partnership", "window_start", "window_end")
    list_filter = ("partnership", "academic_year")
    search_fields = ("name",)


@admin.register(models.CycleParticipation)
class CycleParticipationAdmin(admin.ModelAdmin):
    list_display = ("cycle", "partnership", "status", "is_host", "responded_at")
    list_filter = ("status",)


@admin.register(models.ReviewerProfile)
class ReviewerProfileAdmin(admin.ModelAdmin):
    list_display = ("user", "school", "trained_on", "is_active", "partnership")
    list_filter = ("is_active", "partnership")
    search_fields = ("user__email", "user__full_name")


@admin.register(models.Review)
class ReviewAdmin(admin.ModelAdmin):
    list_display = ("school", "cycle", "group", "partnership")
    list_filter = ("partnership",)


@admin.register(models.Visit)
class VisitAdmin(admin.ModelAdmin):
    list_display = ("review", "date", "starts_at", "ends_at", "sequence")


@admin.register(models.FindingsAccess)
class FindingsAccessAdmin(admin.ModelAdmin):
    list_display = ("review", "user_label", "action", "basis", "accessed_at")
    list_filter = ("action",)

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
