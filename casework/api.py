"""Casework API (tenant-scoped, under /api/p/<slug>/casework/): visit notes, their agreed
actions, and categorisation records with the proposal and moderation steps.

The same rules as the pages: reads through selectors.py, permissions from policies.py
(403 when the person may not, 404 when the row is not in the partnership), writes through
services.py, whose ValidationErrors come back as 400 with the reasons by field. A governor
reads only the final category of their school and its reasons; a headteacher their own
school's whole record. docs/casework.md lists the endpoints.
"""

from __future__ import annotations

from typing import Any

from django.db.models import Prefetch, QuerySet
from django.utils import timezone
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import ValidationError
from rest_framework.request import Request
from rest_framework.response import Response

from partnership.api import DIGITS, enum, require, run_service
from schools.models import School, SupportCategory

from . import policies, selectors, services
from .models import (
    CaseworkVisit,
    ImprovementCapacity,
    ModerationOutcome,
    SchoolCategorisation,
    SelfEvaluationJudgement,
    StandardsGroup,
    VisitAction,
    VisitComment,
)


class CaseworkNamedSerializer(serializers.Serializer):
    id = serializers.IntegerField(read_only=True)
    name = serializers.CharField(source="__str__", read_only=True)


class CaseworkActionSerializer(serializers.ModelSerializer):
    overdue = serializers.SerializerMethodField()

    class Meta:
        model = VisitAction
        fields = ["id", "visit", "school", "description", "owner", "due_on", "status", "overdue"]
        read_only_fields = fields

    def get_overdue(self, obj: VisitAction) -> bool:
        return obj.is_overdue(timezone.localdate())


class CaseworkCommentSerializer(serializers.ModelSerializer):
    author = serializers.CharField(source="author.__str__", read_only=True)

    class Meta:
        model = VisitComment
        fields = ["id", "author", "text", "created_at"]
        read_only_fields = fields


class CaseworkVisitSerializer(serializers.ModelSerializer):
    school = CaseworkNamedSerializer(read_only=True)
    adviser = CaseworkNamedSerializer(read_only=True)
    actions = CaseworkActionSerializer(many=True, read_only=True)
    comments = CaseworkCommentSerializer(many=True, read_only=True)

    class Meta:
        model = CaseworkVisit
        fields = [
            "id",
            "school",
            "adviser",
            "visited_on",
            "focus",
            "met_with",
            "findings",
            "next_visit_on",
            "status",
            "shared_at",
            "actions",
            "comments",
        ]
        read_only_fields = fields


#: Ids are 32-bit on every database the portal runs on; larger numbers name no row.
MAX_ID = 2**31 - 1


class CaseworkVisitWriteSerializer(serializers.Serializer):
    school = serializers.IntegerField(min_value=1, max_value=MAX_ID)
    visited_on = serializers.DateField()
    focus = serializers.CharField(max_length=200)
    met_with = serializers.CharField(required=False, allow_blank=True, max_length=10000)
    findings = serializers.CharField(required=False, allow_blank=True, max_length=10000)
    next_visit_on = serializers.DateField(required=False, allow_null=True)


class CaseworkActionWriteSerializer(serializers.Serializer):
    visit = serializers.IntegerField(min_value=1, max_value=MAX_ID)
    description = serializers.CharField(max_length=10000)
    owner = serializers.CharField(max_length=150)
    due_on = serializers.DateField()


class CaseworkActionProgressSerializer(serializers.Serializer):
    status = serializers.CharField(max_length=20)


class CaseworkJudgementSerializer(serializers.ModelSerializer):
    class Meta:
        model = SelfEvaluationJudgement
        fields = ["area", "judgement", "evidence"]
        read_only_fields = fields


class CaseworkCategorisationSerializer(serializers.ModelSerializer):
    """The whole record; for a governor only the final category and its reasons."""

    round = CaseworkNamedSerializer(read_only=True)
    school = CaseworkNamedSerializer(read_only=True)
    judgements = CaseworkJudgementSerializer(many=True, read_only=True)
    # Blank until the step is done: each is one of its choices or "".
    proposed_category = enum(
        SupportCategory, read_only=True, allow_blank=True, help_text="Empty until proposed."
    )
    standards_group = enum(
        StandardsGroup, read_only=True, allow_blank=True, help_text="Empty until proposed."
    )
    improvement_capacity = enum(
        ImprovementCapacity, read_only=True, allow_blank=True, help_text="Empty until proposed."
    )
    final_category = enum(
        SupportCategory, read_only=True, allow_blank=True, help_text="Empty until moderated."
    )
    moderation_outcome = enum(
        ModerationOutcome, read_only=True, allow_blank=True, help_text="Empty until moderated."
    )

    FINAL_FIELDS = ("id", "round", "school", "status", "final_category", "moderation_reason")
    NULLABLE_FIELDS = (
        "self_evaluation_submitted_at",
        "proposed_at",
        "moderated_at",
        "school_agrees",
    )

    class Meta:
        model = SchoolCategorisation
        fields = [
            "id",
            "round",
            "school",
            "status",
            "self_evaluation_summary",
            "self_evaluation_submitted_at",
            "judgements",
            "proposed_category",
            "proposal_rationale",
            "standards_group",
            "improvement_capacity",
            "proposed_at",
            "final_category",
            "moderation_outcome",
            "moderation_reason",
            "moderation_dissent",
            "moderated_at",
            "school_agrees",
            "school_response",
        ]
        read_only_fields = fields

    def to_representation(self, instance: SchoolCategorisation) -> dict[str, Any]:
        data = super().to_representation(instance)
        user = self.context["request"].user
        if policies.can_view_full_record(user, instance):
            return data
        # The same shape for everyone; what a governor may not read is left empty.
        hidden = {"judgements": []} | dict.fromkeys(self.NULLABLE_FIELDS)
        return {
            name: value if name in self.FINAL_FIELDS else hidden.get(name, "")
            for name, value in data.items()
        }


class CaseworkProposalSerializer(serializers.Serializer):
    category = serializers.CharField(max_length=20, allow_blank=True, required=False, default="")
    rationale = serializers.CharField(allow_blank=True, required=False, default="")
    standards_group = serializers.CharField(allow_blank=True, required=False, default="")
    improvement_capacity = serializers.CharField(allow_blank=True, required=False, default="")


class CaseworkModerationSerializer(serializers.Serializer):
    category = serializers.CharField(max_length=20, allow_blank=True, required=False, default="")
    reason = serializers.CharField(allow_blank=True, required=False, default="")
    dissent = serializers.CharField(allow_blank=True, required=False, default="")


class CaseworkViewSet(viewsets.GenericViewSet):
    lookup_value_regex = DIGITS

    def is_schema(self) -> bool:
        return getattr(self, "swagger_fake_view", False)


@extend_schema_view(
    list=extend_schema(summary="Visit notes you may read"),
    retrieve=extend_schema(summary="One visit note"),
    create=extend_schema(
        summary="Record a visit (a draft note)",
        request=CaseworkVisitWriteSerializer,
        responses={201: CaseworkVisitSerializer},
    ),
)
class VisitViewSet(
    mixins.ListModelMixin, mixins.RetrieveModelMixin, mixins.CreateModelMixin, CaseworkViewSet
):
    """Drafts for the adviser who writes them; shared notes also for the school's
    headteachers and the partnership's admins; every note for senior CAs."""

    serializer_class = CaseworkVisitSerializer

    def get_queryset(self) -> QuerySet[CaseworkVisit]:
        if self.is_schema():
            return CaseworkVisit.objects.none()
        visits = (
            selectors.visible_visits(self.request.user, self.request.partnership)
            if self.action == "list"
            else CaseworkVisit.objects.select_related("school", "adviser")
        )
        return visits.prefetch_related(
            Prefetch("actions", queryset=VisitAction.objects.order_by("due_on", "pk")),
            Prefetch("comments", queryset=VisitComment.objects.select_related("author")),
        ).order_by("-visited_on", "-pk")

    def get_object(self) -> CaseworkVisit:
        visit = super().get_object()
        require(policies.can_view_visit(self.request.user, visit))
        return visit

    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        require(policies.can_record_visits(request.user, request.partnership))
        data = CaseworkVisitWriteSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        fields = dict(data.validated_data)
        school = School.objects.filter(pk=fields.pop("school")).first()
        if school is None:
            raise ValidationError({"school": ["No such school."]})
        visit = run_service(
            services.start_visit,
            actor=request.user,
            school=school,
            visited_on=fields["visited_on"],
            focus=fields["focus"],
            request=request._request,
        )
        extra = {k: v for k, v in fields.items() if k not in ("visited_on", "focus")}
        if extra:
            visit = run_service(services.save_visit, actor=request.user, visit=visit, **extra)
        visit = selectors.visit_detail(visit.pk)
        return Response(
            CaseworkVisitSerializer(visit, context=self.get_serializer_context()).data,
            status=status.HTTP_201_CREATED,
        )


@extend_schema_view(
    list=extend_schema(
        summary="Agreed actions of the visit notes you may read",
        parameters=[
            OpenApiParameter(
                "open", OpenApiTypes.BOOL, description="Only actions that are not done."
            )
        ],
    ),
    retrieve=extend_schema(summary="One action"),
    create=extend_schema(
        summary="Add an agreed action to a visit note",
        request=CaseworkActionWriteSerializer,
        responses={201: CaseworkActionSerializer},
    ),
    partial_update=extend_schema(
        summary="Record an action's progress",
        request=CaseworkActionProgressSerializer,
        responses={200: CaseworkActionSerializer},
    ),
)
class ActionViewSet(
    mixins.ListModelMixin, mixins.RetrieveModelMixin, mixins.CreateModelMixin, CaseworkViewSet
):
    serializer_class = CaseworkActionSerializer
    http_method_names = ["get", "post", "patch", "head", "options"]

    def get_queryset(self) -> QuerySet[VisitAction]:
        if self.is_schema():
            return VisitAction.objects.none()
        if self.action == "list":
            actions = selectors.visible_actions(self.request.user, self.request.partnership)
            if self.request.query_params.get("open") in ("1", "true", "True"):
                actions = actions.filter(status__in=VisitAction.OPEN_STATUSES)
            return actions.order_by("due_on", "pk")
        return VisitAction.objects.select_related("visit__school", "visit__adviser", "school")

    def get_object(self) -> VisitAction:
        action_ = super().get_object()
        require(policies.can_view_visit(self.request.user, action_.visit))
        return action_

    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        require(policies.can_record_visits(request.user, request.partnership))
        data = CaseworkActionWriteSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        fields = dict(data.validated_data)
        visit = CaseworkVisit.objects.select_related("school").filter(pk=fields.pop("visit"))
        visit = visit.first()
        if visit is None:
            raise ValidationError({"visit": ["No such visit note."]})
        require(policies.can_view_visit(request.user, visit))
        created = run_service(services.add_action, actor=request.user, visit=visit, **fields)
        return Response(CaseworkActionSerializer(created).data, status=status.HTTP_201_CREATED)

    def partial_update(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        action_ = self.get_object()
        require(policies.can_update_action(request.user, action_))
        data = CaseworkActionProgressSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        updated = run_service(
            services.update_action,
            actor=request.user,
            action=action_,
            status=data.validated_data["status"],
        )
        return Response(CaseworkActionSerializer(updated).data)


@extend_schema_view(
    list=extend_schema(
        summary="Categorisation records you may read",
        parameters=[OpenApiParameter("round", OpenApiTypes.INT, description="Round id.")],
    ),
    retrieve=extend_schema(summary="One school's categorisation record"),
)
class CategorisationViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, CaseworkViewSet):
    """Every record for senior CAs and admins; a school's CA its caseload's; a moderator
    the round's (not their own school's); a headteacher their school's whole record; a
    governor only their school's final category and its reasons."""

    serializer_class = CaseworkCategorisationSerializer

    def get_queryset(self) -> QuerySet[SchoolCategorisation]:
        if self.is_schema():
            return SchoolCategorisation.objects.none()
        records = (
            selectors.visible_records(self.request.user, self.request.partnership)
            if self.action == "list"
            else SchoolCategorisation.objects.select_related("school", "round")
        )
        round_id = self.request.query_params.get("round", "")
        if round_id.isdigit() and int(round_id) <= MAX_ID:
            records = records.filter(round_id=int(round_id))
        return (
            records.select_related("school__challenge_adviser")
            .prefetch_related("judgements", "round__moderators")
            .order_by("round_id", "school__name", "pk")
        )

    def get_object(self) -> SchoolCategorisation:
        record = super().get_object()
        require(policies.can_view_record(self.request.user, record))
        return record

    def _step(
        self, request: Request, serializer_class: type, may_take_step: Any, service: Any
    ) -> Response:
        record = super().get_object()
        data = serializer_class(data=request.data)
        if not data.is_valid():
            # 403 before any reason about the body. A well-formed request goes on to the
            # service, which records a refused attempt before refusing it.
            require(may_take_step(request.user, record))
            raise ValidationError(data.errors)
        updated = run_service(
            service,
            actor=request.user,
            record=record,
            request=request._request,
            **data.validated_data,
        )
        updated = selectors.record_detail(updated.pk)
        return Response(self.get_serializer(updated).data)

    @extend_schema(
        summary="Propose a support category (the school's CA, in the proposal stage)",
        request=CaseworkProposalSerializer,
        responses={200: CaseworkCategorisationSerializer},
    )
    @action(detail=True, methods=["post"])
    def propose(self, request: Request, pk: str | None = None, **kwargs: Any) -> Response:
        return self._step(
            request, CaseworkProposalSerializer, policies.may_propose, services.propose_category
        )

    @extend_schema(
        summary="Confirm or change a proposal (a moderator, in the moderation stage)",
        request=CaseworkModerationSerializer,
        responses={200: CaseworkCategorisationSerializer},
    )
    @action(detail=True, methods=["post"])
    def moderate(self, request: Request, pk: str | None = None, **kwargs: Any) -> Response:
        return self._step(
            request, CaseworkModerationSerializer, policies.may_moderate, services.moderate_category
        )
