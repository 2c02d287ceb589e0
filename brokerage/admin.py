"""Platform admin views of brokerage rows (for superusers; the portal pages are the UI)."""

from django.contrib import admin

from .models import (
    AgreementOutcome,
    CategoryOverride,
    DeliverySession,
    Need,
    NeedDecline,
    Offer,
    SupportAgreement,
)


@admin.register(Need)
class NeedAdmin(admin.ModelAdmin):
    list_display = ["title", "school", "area", "status", "urgency", "partnership", "created_at"]
    list_filter = ["status", "urgency", "partnership"]
    search_fields = ["title", "school__name"]
    raw_id_fields = ["school", "area", "raised_by"]


@admin.register(Offer)
class OfferAdmin(admin.ModelAdmin):
    list_display = [
        "title",
        "school",
        "area",
        "academic_year",
        "days_available",
        "days_committed",
        "status",
        "partnership",
    ]
    list_filter = ["status", "academic_year", "partnership"]
    search_fields = ["title", "school__name"]
    raw_id_fields = ["school", "area", "created_by"]


class DeliverySessionInline(admin.TabularInline):
    model = DeliverySession
    extra = 0
    raw_id_fields = ["recorded_by"]


@admin.register(SupportAgreement)
class SupportAgreementAdmin(admin.ModelAdmin):
    list_display = ["__str__", "status", "starts_on", "ends_on", "partnership"]
    list_filter = ["status", "funding", "partnership"]
    raw_id_fields = [
        "need",
        "offer",
        "provider",
        "receiving_school",
        "override",
        "brokered_by",
        "provider_confirmed_by",
        "receiver_confirmed_by",
    ]
    inlines = [DeliverySessionInline]


@admin.register(AgreementOutcome)
class AgreementOutcomeAdmin(admin.ModelAdmin):
    list_display = ["agreement", "objectives_met", "rating", "recorded_at"]
    raw_id_fields = ["agreement", "recorded_by"]


@admin.register(NeedDecline)
class NeedDeclineAdmin(admin.ModelAdmin):
    list_display = ["need", "provider", "created_at"]
    raw_id_fields = ["need", "provider", "agreement", "declined_by"]


@admin.register(CategoryOverride)
class CategoryOverrideAdmin(admin.ModelAdmin):
    list_display = ["need", "provider", "created_by", "created_at"]
    raw_id_fields = ["need", "provider", "created_by"]
