"""Read API for schools, clusters and school improvement groups (tenant-scoped)."""

from __future__ import annotations

from django.db.models import Count, Prefetch
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import (
    OpenApiParameter,
    extend_schema,
    extend_schema_field,
    extend_schema_view,
)
from rest_framework import serializers, viewsets
from rest_framework.exceptions import ValidationError

from . import policies, selectors
from .forms import DirectoryFilterForm
from .models import Cluster, LanguageMedium, Phase, School, SchoolImprovementGroup, SupportCategory


class SchoolSerializer(serializers.ModelSerializer):
    local_authority = serializers.CharField(source="local_authority.name", read_only=True)
    cluster = serializers.PrimaryKeyRelatedField(read_only=True, allow_null=True)
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
    parent = serializers.PrimaryKeyRelatedField(
        read_only=True, allow_null=True, help_text="Null for a top-level group."
    )

    class Meta:
        model = SchoolImprovementGroup
        fields = ["id", "name", "description", "parent", "schools"]


SCHOOL_FILTERS = [
    OpenApiParameter("q", OpenApiTypes.STR, description="Name, official number or postcode."),
    OpenApiParameter("local_authority", OpenApiTypes.INT, description="Local authority id."),
    OpenApiParameter("phase", OpenApiTypes.STR, enum=Phase.values),
    OpenApiParameter("language_medium", OpenApiTypes.STR, enum=LanguageMedium.values),
    OpenApiParameter(
        "category",
        OpenApiTypes.STR,
        enum=SupportCategory.values,
        description="Support category; only for those who may see every school's category.",
    ),
    OpenApiParameter("cluster", OpenApiTypes.INT, description="Cluster id."),
    OpenApiParameter("sig", OpenApiTypes.INT, description="School improvement group id."),
]


@extend_schema_view(list=extend_schema(parameters=SCHOOL_FILTERS))
class SchoolViewSet(viewsets.ReadOnlyModelViewSet):
    """Schools, filtered exactly like the web directory (same form, same selector)."""

    serializer_class = SchoolSerializer

    def get_queryset(self):
        filters = None
        if self.action == "list" and self.request.query_params:
            form = DirectoryFilterForm(
                self.request.query_params,
                show_category=policies.can_see_all_categories(
                    self.request.user, self.request.partnership
                ),
            )
            if not form.is_valid():
                raise ValidationError(form.errors)
            filters = form.filters()
        return selectors.school_directory(filters).prefetch_related(
            Prefetch("sigs", queryset=SchoolImprovementGroup.objects.only("id"))
        )


class ClusterViewSet(viewsets.ReadOnlyModelViewSet):
    serializer_class = ClusterSerializer

    def get_queryset(self):
        return (
            Cluster.objects.prefetch_related(
                Prefetch("schools", queryset=School.objects.only("id", "cluster_id"))
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
