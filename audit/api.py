"""Audit trail API (tenant-scoped, read-only, admins only): /api/p/<slug>/audit/events/."""

from __future__ import annotations

from django.db.models import QuerySet
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import mixins, serializers, viewsets

from partnership.api import DIGITS, require

from . import policies, selectors
from .models import AuditEvent


class AuditEventSerializer(serializers.ModelSerializer):
    class Meta:
        model = AuditEvent
        fields = [
            "id",
            "created_at",
            "actor_label",
            "action",
            "target_type",
            "target_id",
            "target_label",
            "detail",
            "ip_address",
        ]
        read_only_fields = fields


@extend_schema_view(
    list=extend_schema(
        parameters=[
            OpenApiParameter("action", OpenApiTypes.STR, description="Action or its prefix."),
            OpenApiParameter("person", OpenApiTypes.STR, description="Email or name."),
        ]
    )
)
class AuditEventViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """The partnership's audit trail, newest first (partnership admins only)."""

    serializer_class = AuditEventSerializer
    lookup_value_regex = DIGITS

    def get_queryset(self) -> QuerySet[AuditEvent]:
        if getattr(self, "swagger_fake_view", False):  # schema generation: no request
            return AuditEvent.objects.none()
        require(policies.can_view_trail(self.request.user, self.request.partnership))
        params = self.request.query_params
        return selectors.trail(
            selectors.TrailFilters(
                action=params.get("action", "")[:80], person=params.get("person", "")[:254]
            )
        )
