"""Surveys API (tenant-scoped, read-only, under /api/p/<slug>/surveys/): needs survey
rounds with their response rates and regional need, and impact results.

The same rules as the pages: reads through selectors.py, permissions from policies.py
(staff roles: partnership admins and challenge advisers; 403 for others, 404 when the
row is not in the partnership). docs/surveys.md lists the endpoints.
"""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import (
    OpenApiParameter,
    extend_schema,
    extend_schema_field,
    extend_schema_view,
)
from rest_framework import mixins, serializers, viewsets
from rest_framework.exceptions import ValidationError
from rest_framework.request import Request
from rest_framework.response import Response

from partnership.api import require

from . import policies, selectors
from .models import NeedsSurveyRound


class RateSerializer(serializers.Serializer):
    local_authority = serializers.CharField(source="label")
    schools = serializers.IntegerField()
    submitted = serializers.IntegerField()
    drafts = serializers.IntegerField()
    rate = serializers.DecimalField(max_digits=5, decimal_places=1, allow_null=True)


class AreaNeedSerializer(serializers.Serializer):
    area_id = serializers.IntegerField()
    area = serializers.CharField()
    points = serializers.IntegerField()
    schools = serializers.IntegerField()
    first_choices = serializers.IntegerField()


class RoundSerializer(serializers.ModelSerializer):
    submitted = serializers.IntegerField(read_only=True)

    class Meta:
        model = NeedsSurveyRound
        fields = ["id", "name", "academic_year", "deadline", "status", "submitted"]


class RoundDetailSerializer(RoundSerializer):
    response_rates = serializers.SerializerMethodField()
    regional_need = serializers.SerializerMethodField()

    class Meta(RoundSerializer.Meta):
        fields = [*RoundSerializer.Meta.fields, "response_rates", "regional_need"]

    @extend_schema_field(RateSerializer(many=True))
    def get_response_rates(self, obj: NeedsSurveyRound) -> list[dict[str, Any]]:
        rates, _total = selectors.round_response_rates(obj)
        return RateSerializer(rates, many=True).data

    @extend_schema_field(AreaNeedSerializer(many=True))
    def get_regional_need(self, obj: NeedsSurveyRound) -> list[dict[str, Any]]:
        return AreaNeedSerializer(selectors.regional_need(obj), many=True).data


@extend_schema_view(
    list=extend_schema(summary="Needs survey rounds", description="Newest first (staff roles)."),
    retrieve=extend_schema(
        summary="One round",
        description="With the live response rate by local authority and regional need by "
        "area (3 points for a first priority, 2 for a second, 1 for a third).",
    ),
)
class NeedsRoundViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    def get_serializer_class(self) -> type[serializers.Serializer]:
        return RoundDetailSerializer if self.action == "retrieve" else RoundSerializer

    def get_queryset(self) -> QuerySet[NeedsSurveyRound]:
        if getattr(self, "swagger_fake_view", False):
            return NeedsSurveyRound.objects.none()
        return selectors.rounds()

    def list(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        require(policies.can_view_results(request.user, request.partnership))
        return super().list(request, *args, **kwargs)

    def get_object(self) -> NeedsSurveyRound:
        round_ = super().get_object()
        require(policies.can_view_results(self.request.user, round_))
        return round_


class PointSerializer(serializers.Serializer):
    point = serializers.CharField()
    invited = serializers.IntegerField()
    answered = serializers.IntegerField()
    response_rate = serializers.DecimalField(max_digits=5, decimal_places=1, allow_null=True)
    confidence = serializers.DecimalField(max_digits=3, decimal_places=1, allow_null=True)
    knowledge = serializers.DecimalField(max_digits=3, decimal_places=1, allow_null=True)
    practice = serializers.DecimalField(max_digits=3, decimal_places=1, allow_null=True)
    school_change = serializers.DecimalField(max_digits=3, decimal_places=1, allow_null=True)
    overall = serializers.DecimalField(max_digits=3, decimal_places=1, allow_null=True)


class SummarySerializer(serializers.Serializer):
    invited = serializers.IntegerField()
    answered = serializers.IntegerField()
    response_rate = serializers.DecimalField(max_digits=5, decimal_places=1, allow_null=True)
    change = serializers.DecimalField(max_digits=3, decimal_places=1, allow_null=True)
    retained = serializers.DecimalField(max_digits=3, decimal_places=1, allow_null=True)
    points = PointSerializer(many=True)


class ImpactRowSerializer(serializers.Serializer):
    id = serializers.IntegerField(source="key")
    label = serializers.CharField()
    summary = SummarySerializer()


@extend_schema_view(
    list=extend_schema(
        summary="Impact results",
        description="Response rates and mean scores (1-5) at start, end and six months "
        "after, with the start-to-end change and what remains, one row per programme, hub, "
        "area or provider school (`?by=`).",
        parameters=[
            OpenApiParameter(
                "by",
                OpenApiTypes.STR,
                enum=list(selectors.DIMENSIONS),
                description="Group by (default programme).",
            )
        ],
        responses=ImpactRowSerializer(many=True),
    )
)
class ImpactResultViewSet(viewsets.ViewSet):
    def list(self, request: Request) -> Response:
        require(policies.can_view_results(request.user, request.partnership))
        by = request.query_params.get("by", "programme")
        if by not in selectors.DIMENSIONS:
            raise ValidationError({"by": [f"Choose one of {', '.join(selectors.DIMENSIONS)}."]})
        rows = selectors.impact_by(by)
        return Response(ImpactRowSerializer(rows, many=True).data)
