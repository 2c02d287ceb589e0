"""Read API for schools, clusters and school improvement groups (tenant-scoped)."""

from __future__ import annotations

from django.db.models import Count, Prefetch
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers, viewsets

from . import policies
from .models import Cluster, School, SchoolImprovementGroup


class SchoolSerializer(serializers.ModelSerializer):
    local_authority = serializers.CharField(source="local_authority.name", read_only=True)
    cluster = serializers.PrimaryKeyRelatedField(read_only=True)
    sigs = serializers.PrimaryKeyRelatedField(many=True, read_only=True)
    support_category = serializers.SerializerMethodField()

    class Meta:
        model = School
        fields = [
            "id",
            "official_number",
            "name",
            "phase",
            "language_medium",
            "local_authority",
            "cluster",
            "sigs",
            "pupils",
            "fsm_percent",
            "postcode",
            "support_category",
        ]

    @extend_schema_field(serializers.CharField(allow_null=True))
    def get_support_category(self, school: School) -> str | None:
        """Only for those allowed to see it, exactly as on the school page."""
        user = self.context["request"].user
        if policies.can_view_category(user, school):
            return school.support_category or None
        return None


class ClusterSerializer(serializers.ModelSerializer):
    schools = serializers.PrimaryKeyRelatedField(many=True, read_only=True)

    class Meta:
        model = Cluster
        fields = ["id", "name", "description", "schools"]


class SchoolImprovementGroupSerializer(serializers.ModelSerializer):
    schools = serializers.PrimaryKeyRelatedField(many=True, read_only=True)
    parent = serializers.PrimaryKeyRelatedField(read_only=True)

    class Meta:
        model = SchoolImprovementGroup
        fields = ["id", "name", "description", "parent", "schools"]


class SchoolViewSet(viewsets.ReadOnlyModelViewSet):
    serializer_class = SchoolSerializer

    def get_queryset(self):
        return (
            School.objects.select_related("local_authority")
            .prefetch_related(Prefetch("sigs", queryset=SchoolImprovementGroup.objects.only("id")))
            .order_by("name", "pk")
        )


class ClusterViewSet(viewsets.ReadOnlyModelViewSet):
    serializer_class = ClusterSerializer

    def get_queryset(self):
        return (
            Cluster.objects.prefetch_related(
                Prefetch("schools", queryset=School.objects.only("id"))
            )
            .annotate(school_count=Count("schools"))
            .order_by("name")
        )


class SchoolImprovementGroupViewSet(viewsets.ReadOnlyModelViewSet):
    serializer_class = SchoolImprovementGroupSerializer

    def get_queryset(self):
        return SchoolImprovementGroup.objects.prefetch_related(
            Prefetch("schools", queryset=School.objects.only("id"))
        ).order_by("name")
