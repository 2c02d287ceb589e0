"""Read API for peer review (tenant-scoped): cycles, groups, visits and findings.

The same selectors and policies as the pages. Findings are returned only to those who may
read them, and every reading is recorded in the review's access log.
"""

from __future__ import annotations

from django.db.models import Exists, OuterRef, Q, QuerySet
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import mixins, serializers, viewsets
from rest_framework.exceptions import NotFound, ValidationError

from partnership.api import DIGITS
from partnership.models import Role
from partnership.policies import has_role, school_ids_with_role

from . import policies, selectors, services
from .models import AreaFinding, Cycle, Findings, ReviewGroup, Visit


class CycleSerializer(serializers.ModelSerializer):
    host = serializers.CharField(source="partnership.slug", read_only=True)
    framework = serializers.CharField(source="framework_version.framework.name", read_only=True)
    framework_version = serializers.IntegerField(source="framework_version.number", read_only=True)

    class Meta:
        model = Cycle
        fields = [
            "id",
            "name",
            "academic_year",
            "window_start",
            "window_end",
            "host",
            "framework",
            "framework_version",
            "group_kind",
            "team_size",
        ]


class GroupSerializer(serializers.ModelSerializer):
    class Meta:
        model = ReviewGroup
        fields = ["id", "cycle", "name", "position"]


class VisitSerializer(serializers.ModelSerializer):
    review = serializers.IntegerField(source="review_id", read_only=True)
    cycle = serializers.IntegerField(source="review.cycle_id", read_only=True)
    school = serializers.CharField(source="review.school.name", read_only=True)

    class Meta:
        model = Visit
        fields = ["id", "review", "cycle", "school", "date", "starts_at", "ends_at", "location"]


class AreaFindingSerializer(serializers.ModelSerializer):
    area = serializers.CharField(source="area.name", read_only=True)

    class Meta:
        model = AreaFinding
        fields = ["area", "went_well", "even_better_if", "judgement"]


class FindingsSerializer(serializers.ModelSerializer):
    review = serializers.IntegerField(source="review_id", read_only=True)
    school = serializers.CharField(source="review.school.name", read_only=True)
    areas = AreaFindingSerializer(many=True, read_only=True)

    class Meta:
        model = Findings
        fields = ["id", "review", "school", "status", "summary", "submitted_at", "areas"]


def _schema_only(view, model) -> QuerySet | None:
    """During schema generation there is no partnership: an empty queryset of the model."""
    if getattr(view, "swagger_fake_view", False):
        return model.objects.with_scopes_disabled().none()
    return None


CYCLE_FILTER = [OpenApiParameter("cycle", OpenApiTypes.INT, description="Cycle id.")]


def _cycle_filter(request, queryset: QuerySet, field: str) -> QuerySet:
    value = request.query_params.get("cycle")
    if value in (None, ""):
        return queryset
    if not value.isdigit():
        raise ValidationError({"cycle": ["Enter a cycle id (a whole number)."]})
    return queryset.filter(**{field: int(value)})


class CycleViewSet(viewsets.ReadOnlyModelViewSet):
    """Cycles the partnership hosts or agreed to join (for staff, headteachers and
    reviewers, as on the pages)."""

    serializer_class = CycleSerializer

    lookup_value_regex = DIGITS

    def get_queryset(self):
        if (empty := _schema_only(self, Cycle)) is not None:
            return empty
        partnership = self.request.partnership
        if not policies.can_view_cycles(self.request.user, partnership):
            return Cycle.objects.none()
        return selectors.visible_cycles(partnership)


@extend_schema_view(list=extend_schema(parameters=CYCLE_FILTER))
class GroupViewSet(viewsets.ReadOnlyModelViewSet):
    serializer_class = GroupSerializer

    lookup_value_regex = DIGITS

    def get_queryset(self):
        if (empty := _schema_only(self, ReviewGroup)) is not None:
            return empty
        partnership = self.request.partnership
        if not policies.can_view_cycles(self.request.user, partnership):
            return ReviewGroup.objects.none()
        groups = selectors.groups_in(partnership)
        return _cycle_filter(self.request, groups, "cycle_id")


@extend_schema_view(list=extend_schema(parameters=CYCLE_FILTER))
class VisitViewSet(viewsets.ReadOnlyModelViewSet):
    """Visits of the reviews the user may see: all of them for the partnership's staff;
    otherwise the reviews they are on and the reviews of their own school."""

    serializer_class = VisitSerializer

    lookup_value_regex = DIGITS

    def get_queryset(self):
        if (empty := _schema_only(self, Visit)) is not None:
            return empty
        user, partnership = self.request.user, self.request.partnership
        visits = selectors.visits_in(partnership)
        if not has_role(
            user, partnership, Role.PARTNERSHIP_ADMIN, Role.SENIOR_CA, Role.CHALLENGE_ADVISER
        ):
            on_team = selectors.team_places(user).filter(review=OuterRef("review_id"))
            own = school_ids_with_role(user, partnership, Role.HEADTEACHER)
            visits = visits.filter(Exists(on_team) | Q(review__school_id__in=own))
        return _cycle_filter(self.request, visits, "review__cycle_id")


class FindingsViewSet(mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """One review's findings, for those who may read them; each reading is logged."""

    serializer_class = FindingsSerializer

    lookup_value_regex = DIGITS

    def get_queryset(self):
        if (empty := _schema_only(self, Findings)) is not None:
            return empty
        return selectors.findings_in(self.request.partnership)

    def get_object(self):
        findings = super().get_object()
        review = findings.review
        basis = policies.findings_access_basis(self.request.user, review)
        if basis is None:
            raise NotFound
        services.record_findings_access(user=self.request.user, review=review, basis=basis)
        return findings
