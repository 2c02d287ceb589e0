"""Platform admin (superusers only, across partnerships): read and correct hub rows."""

from django.contrib import admin

from . import models


@admin.register(models.Hub)
class HubAdmin(admin.ModelAdmin):
    list_display = ("name", "partnership", "area", "status", "starts_on", "ends_on")
    list_filter = ("status", "partnership")
    search_fields = ("name",)


@admin.register(models.Programme)
class ProgrammeAdmin(admin.ModelAdmin):
    list_display = ("title", "partnership", "hub", "status", "places")
    list_filter = ("status", "partnership")
    search_fields = ("title",)


@admin.register(models.Enrolment)
class EnrolmentAdmin(admin.ModelAdmin):
    list_display = ("participant_name", "participant_email", "programme", "school", "status")
    list_filter = ("status", "partnership")
    search_fields = ("participant_name", "participant_email")


@admin.register(models.Call)
class CallAdmin(admin.ModelAdmin):
    list_display = ("title", "partnership", "area", "status", "deadline")
    list_filter = ("status", "partnership")


@admin.register(models.Bid)
class BidAdmin(admin.ModelAdmin):
    list_display = ("school", "call", "status", "cost", "score_percent")
    list_filter = ("status", "partnership")


@admin.register(models.Document)
class DocumentAdmin(admin.ModelAdmin):
    list_display = ("original_name", "partnership", "kind", "size", "uploaded_at")
    list_filter = ("kind", "partnership")
    readonly_fields = ("uuid", "file", "content_type", "size")


for model in (
    models.ServiceLevelAgreement,
    models.Deliverable,
    models.BudgetLine,
    models.RedesignationCriterion,
    models.RedesignationReview,
    models.ProgrammeSession,
    models.GroupEnrolment,
    models.Attendance,
    models.CallCriterion,
    models.BidScore,
    models.Award,
):
    admin.site.register(model)
