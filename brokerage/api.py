"""Brokerage API (tenant-scoped, under /api/p/<slug>/brokerage/): needs, offers, ranked
suggestions, support agreements and their delivery sessions.

The same rules as the pages: reads through selectors.py, permissions from policies.py
(403 when the person may not, 404 when the row is not in the partnership), and every
write through services.py, whose ValidationErrors come back as 400 with the reasons by
field ("non_field_errors" for the others). docs/brokerage.md lists the endpoints.
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
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import ValidationError
from rest_framework.request import Request
from rest_framework.response import Response

from partnership.api import BAD_INPUT, FORBIDDEN, require, run_service
from partnership.models import Area
from schools.models import School

from . import policies, scoring, selectors, services
from .models import (
    DeliveryLanguage,
    DeliverySession,
    Funding,
    Need,
    Offer,
    SupportAgreement,
    Timeframe,
    Urgency,
)

#: Suggestions returned when the request does not say (`?limit=`), and the most it may ask.
DEFAULT_SUGGESTIONS = 25
MAX_SUGGESTIONS = 100

# --- Serializers: what the API shows ------------------------------------------------------


class BrokerageSchoolSerializer(serializers.Serializer):
    id = serializers.IntegerField(read_only=True)
    name = serializers.CharField(read_only=True)


class BrokerageAreaSerializer(serializers.Serializer):
    id = serializers.IntegerField(read_only=True)
    name = serializers.CharField(source="display_name", read_only=True)


#: A need's preferred delivery language; "" is "no preference" (either will do).
PREFERRED_LANGUAGES = [("", "No preference"), *DeliveryLanguage.choices]


# Described by a pattern, not an enum: the schema generator gives a choice set one name,
# and without its blank value this one is the offers' DeliveryLanguage set. The pattern
# leaves out "": drf-spectacular adds the blank as the other branch of a oneOf, and a
# value must match exactly one branch.
@extend_schema_field(
    {
        "type": "string",
        "pattern": "^(" + "|".join(DeliveryLanguage.values) + ")$",
        "description": "english, welsh or bilingual; empty for no preference.",
    }
)
class PreferredLanguageField(serializers.CharField):
    default_error_messages = {"invalid_choice": '"{input}" is not a valid choice.'}

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(allow_blank=True, **kwargs)

    def to_internal_value(self, data: Any) -> str:
        value = super().to_internal_value(data)
        if value not in dict(PREFERRED_LANGUAGES):
            self.fail("invalid_choice", input=value)
        return value


class NeedSerializer(serializers.ModelSerializer):
    school = BrokerageSchoolSerializer(read_only=True)
    area = BrokerageAreaSerializer(read_only=True)
    preferred_language = PreferredLanguageField(read_only=True)

    class Meta:
        model = Need
        fields = [
            "id",
            "school",
            "area",
            "title",
            "description",
            "outcome",
            "urgency",
            "preferred_language",
            "timeframe",
            "days_wanted",
            "status",
            "created_at",
        ]
        read_only_fields = fields


class OfferSerializer(serializers.ModelSerializer):
    school = BrokerageSchoolSerializer(read_only=True)
    area = BrokerageAreaSerializer(read_only=True)
    other_areas = serializers.PrimaryKeyRelatedField(many=True, read_only=True)
    capacity_left = serializers.DecimalField(max_digits=5, decimal_places=1, read_only=True)
    delivery_language = serializers.ChoiceField(
        DeliveryLanguage.choices, source="language", read_only=True
    )

    class Meta:
        model = Offer
        fields = [
            "id",
            "school",
            "area",
            "other_areas",
            "title",
            "description",
            "academic_year",
            "days_available",
            "days_committed",
            "capacity_left",
            "is_charged",
            "day_rate",
            "delivery_language",
            "evidence",
            "contact_name",
            "contact_email",
            "status",
            "created_at",
        ]
        read_only_fields = fields


class AgreementNeedSerializer(serializers.Serializer):
    id = serializers.IntegerField(read_only=True)
    title = serializers.CharField(read_only=True)
    area = BrokerageAreaSerializer(read_only=True)


class AgreementOutcomeSerializer(serializers.Serializer):
    objectives_met = serializers.CharField(read_only=True)
    rating = serializers.IntegerField(read_only=True)
    evidence = serializers.CharField(read_only=True)
    recorded_at = serializers.DateTimeField(read_only=True)


class SupportAgreementSerializer(serializers.ModelSerializer):
    need = AgreementNeedSerializer(read_only=True)
    provider = BrokerageSchoolSerializer(read_only=True)
    receiving_school = BrokerageSchoolSerializer(read_only=True)
    days_delivered = serializers.DecimalField(
        source="delivered", max_digits=7, decimal_places=1, read_only=True
    )
    outcome = serializers.SerializerMethodField()

    class Meta:
        model = SupportAgreement
        fields = [
            "id",
            "need",
            "offer",
            "provider",
            "receiving_school",
            "days",
            "days_delivered",
            "starts_on",
            "ends_on",
            "objectives",
            "funding",
            "cost",
            "status",
            "provider_confirmed_at",
            "receiver_confirmed_at",
            "created_at",
            "closed_at",
            "outcome",
        ]
        read_only_fields = fields

    @extend_schema_field(AgreementOutcomeSerializer(allow_null=True))
    def get_outcome(self, agreement: SupportAgreement) -> dict[str, Any] | None:
        """The outcome a closed agreement was closed with (null before)."""
        outcome = getattr(agreement, "outcome", None)
        return AgreementOutcomeSerializer(outcome).data if outcome else None


class DeliverySessionSerializer(serializers.ModelSerializer):
    recorded_by = serializers.CharField(
        source="recorded_by.get_full_name", read_only=True, allow_null=True, default=None
    )

    class Meta:
        model = DeliverySession
        fields = ["id", "date", "days", "notes", "recorded_by", "created_at"]
        read_only_fields = fields


class MatchScorePartSerializer(serializers.Serializer):
    key = serializers.CharField()
    label = serializers.CharField()
    value = serializers.FloatField(help_text="From 0 to 1.")
    weight = serializers.DecimalField(max_digits=3, decimal_places=2)


class SuggestedOfferSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    title = serializers.CharField()
    school = BrokerageSchoolSerializer()
    area = BrokerageAreaSerializer()
    delivery_language = serializers.ChoiceField(DeliveryLanguage.choices, source="language")
    is_charged = serializers.BooleanField()
    day_rate = serializers.DecimalField(max_digits=8, decimal_places=2, allow_null=True)
    capacity_left = serializers.DecimalField(max_digits=5, decimal_places=1)


class MatchSuggestionSerializer(serializers.Serializer):
    offer = SuggestedOfferSerializer(source="key")
    score = serializers.FloatField(source="score.total", help_text="From 0 to 1.")
    parts = MatchScorePartSerializer(source="score.parts", many=True)
    overridden = serializers.BooleanField(
        help_text="Suggested only because a CA overrode the category rule for this provider."
    )
    provider_category = serializers.SerializerMethodField()

    @extend_schema_field(serializers.CharField(allow_null=True))
    def get_provider_category(self, suggestion: scoring.Suggestion) -> str | None:
        """Only for those who may see every school's category, as on the page."""
        if not self.context.get("show_provider_categories"):
            return None
        return suggestion.key.school.support_category or None


class MatchRankingSerializer(serializers.Serializer):
    need = serializers.IntegerField()
    need_status = serializers.CharField()
    suggestions = MatchSuggestionSerializer(many=True)
    more_suggestions = serializers.IntegerField(help_text="Further matches not listed.")
    held_back = MatchSuggestionSerializer(
        many=True, help_text="Offers the category rule holds back from a red or amber school."
    )
    more_held_back = serializers.IntegerField()


# --- Serializers: what the API takes -------------------------------------------------------


class NeedWriteSerializer(serializers.Serializer):
    school = serializers.PrimaryKeyRelatedField(queryset=School.objects)
    area = serializers.PrimaryKeyRelatedField(queryset=Area.objects)
    title = serializers.CharField(max_length=150)
    description = serializers.CharField(max_length=4000)
    outcome = serializers.CharField(max_length=4000)
    urgency = serializers.ChoiceField(Urgency.choices, default=Urgency.MEDIUM)
    preferred_language = PreferredLanguageField(required=False, default="")
    timeframe = serializers.ChoiceField(Timeframe.choices, default=Timeframe.THIS_YEAR)
    days_wanted = serializers.DecimalField(
        max_digits=5, decimal_places=1, required=False, allow_null=True, default=None
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["area"].queryset = Area.objects.filter(is_active=True)


class OfferWriteSerializer(serializers.Serializer):
    school = serializers.PrimaryKeyRelatedField(queryset=School.objects)
    area = serializers.PrimaryKeyRelatedField(queryset=Area.objects)
    other_areas = serializers.PrimaryKeyRelatedField(
        queryset=Area.objects, many=True, required=False, default=list
    )
    title = serializers.CharField(max_length=150)
    description = serializers.CharField(max_length=4000)
    academic_year = serializers.CharField(max_length=7, help_text='Like "2025/26".')
    days_available = serializers.DecimalField(max_digits=5, decimal_places=1)
    is_charged = serializers.BooleanField(default=False)
    day_rate = serializers.DecimalField(
        max_digits=8, decimal_places=2, required=False, allow_null=True, default=None
    )
    delivery_language = serializers.ChoiceField(DeliveryLanguage.choices, source="language")
    evidence = serializers.CharField(max_length=4000)
    contact_name = serializers.CharField(max_length=150)
    contact_email = serializers.EmailField(required=False, allow_blank=True, default="")

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        active = Area.objects.filter(is_active=True)
        self.fields["area"].queryset = active
        self.fields["other_areas"].child_relation.queryset = active


class SupportAgreementWriteSerializer(serializers.Serializer):
    need = serializers.PrimaryKeyRelatedField(queryset=Need.objects)
    offer = serializers.PrimaryKeyRelatedField(
        queryset=Offer.objects, help_text="One of the need's suggestions."
    )
    days = serializers.DecimalField(max_digits=5, decimal_places=1)
    starts_on = serializers.DateField()
    ends_on = serializers.DateField()
    objectives = serializers.CharField(max_length=4000)
    funding = serializers.ChoiceField(Funding.choices)
    cost = serializers.DecimalField(
        max_digits=9, decimal_places=2, required=False, allow_null=True, default=None
    )


class DeliverySessionWriteSerializer(serializers.Serializer):
    date = serializers.DateField()
    days = serializers.DecimalField(max_digits=5, decimal_places=1)
    notes = serializers.CharField(max_length=4000, required=False, allow_blank=True, default="")


class BrokerageListFilterSerializer(serializers.Serializer):
    """The query parameters of the need and offer lists (checked: a bad one is a 400)."""

    status = serializers.CharField(required=False)
    area = serializers.IntegerField(required=False, min_value=1)
    school = serializers.IntegerField(required=False, min_value=1)

    def __init__(self, *args: Any, statuses: list[str], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["status"] = serializers.ChoiceField(statuses, required=False)


def _filtered(queryset: QuerySet, params: Any, statuses: list[str]) -> QuerySet:
    filters = BrokerageListFilterSerializer(data=params, statuses=statuses)
    filters.is_valid(raise_exception=True)
    data = filters.validated_data
    if "status" in data:
        queryset = queryset.filter(status=data["status"])
    if "area" in data:
        queryset = queryset.filter(area_id=data["area"])
    if "school" in data:
        queryset = queryset.filter(school_id=data["school"])
    return queryset


def _list_parameters(statuses: list[str]) -> list[OpenApiParameter]:
    return [
        OpenApiParameter("status", OpenApiTypes.STR, enum=statuses),
        OpenApiParameter("area", OpenApiTypes.INT, description="Area id."),
        OpenApiParameter("school", OpenApiTypes.INT, description="School id."),
    ]


def _brokers_for_some_school(user: Any, partnership: Any) -> bool:
    """Staff roles, and a headteacher who is some school's challenge adviser (a partner
    CA): everyone `policies.is_broker_for` may allow for one school or another."""
    if policies.can_use_board(user, partnership):
        return True
    return bool(
        policies.is_any_headteacher(user, partnership)
        and School.objects.filter(partnership=partnership, challenge_adviser=user).exists()
    )


class BrokerageViewSet(viewsets.GenericViewSet):
    """Shared plumbing: the partnership and user of the request, a fake view for the
    schema generator, and the section-wide permission for lists."""

    model: type = Need

    @property
    def partnership(self) -> Any:
        return self.request.partnership

    def is_schema(self) -> bool:
        return getattr(self, "swagger_fake_view", False)

    def check_section(self) -> None:
        require(policies.can_open_brokerage(self.request.user, self.partnership))


# --- Needs ------------------------------------------------------------------------------


@extend_schema_view(
    list=extend_schema(
        summary="Needs you may read",
        description="Every need for staff roles; your own schools' needs for headteachers "
        "and governors; newest first.",
        parameters=_list_parameters(Need.Status.values),
        responses={200: NeedSerializer(many=True), 400: BAD_INPUT, 403: FORBIDDEN},
    ),
    retrieve=extend_schema(summary="One need", responses={200: NeedSerializer, 403: FORBIDDEN}),
    create=extend_schema(
        summary="Log a need",
        description="For a school you may log needs for: as its headteacher, its CA, a "
        "senior CA or an admin. It starts open.",
        request=NeedWriteSerializer,
        responses={201: NeedSerializer, 400: BAD_INPUT, 403: FORBIDDEN},
    ),
)
class NeedViewSet(
    mixins.ListModelMixin, mixins.RetrieveModelMixin, mixins.CreateModelMixin, BrokerageViewSet
):
    serializer_class = NeedSerializer

    def get_queryset(self) -> QuerySet[Need]:
        if self.is_schema():
            return Need.objects.none()
        if self.action == "list":
            self.check_section()
            return _filtered(
                selectors.needs_visible_to(self.request.user, self.partnership),
                self.request.query_params,
                Need.Status.values,
            )
        return Need.objects.select_related("school", "area")

    def get_object(self) -> Need:
        need = super().get_object()
        require(policies.can_view_need(self.request.user, need))
        return need

    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        require(policies.can_log_needs(request.user, self.partnership))
        data = NeedWriteSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        fields = dict(data.validated_data)
        school = fields.pop("school")
        require(policies.can_log_for_school(request.user, school))
        need = run_service(
            services.create_need,
            actor=request.user,
            partnership=self.partnership,
            school=school,
            **fields,
        )
        return Response(NeedSerializer(need).data, status=status.HTTP_201_CREATED)

    @extend_schema(
        summary="Ranked suggestions for a need",
        description="Other schools' offers ranked for the need, best first, each with its "
        "score and every part of it (docs/brokerage.md explains the score), and the offers "
        "the category rule holds back. For those who broker for the need's school. A need "
        "that is no longer open has no suggestions.",
        parameters=[
            OpenApiParameter(
                "limit",
                OpenApiTypes.INT,
                description=f"How many of each list (1 to {MAX_SUGGESTIONS}; "
                f"{DEFAULT_SUGGESTIONS} if not given).",
            )
        ],
        responses={200: MatchRankingSerializer, 400: BAD_INPUT, 403: FORBIDDEN},
    )
    @action(detail=True, methods=["get"])
    def suggestions(self, request: Request, pk: str | None = None, **kwargs: Any) -> Response:
        need = super().get_object()
        require(policies.is_broker_for_need(request.user, need))
        limit = serializers.IntegerField(min_value=1, max_value=MAX_SUGGESTIONS)
        try:
            limit = limit.run_validation(request.query_params.get("limit", DEFAULT_SUGGESTIONS))
        except ValidationError as error:
            raise ValidationError({"limit": error.detail}) from None
        need = selectors.need_detail(need.pk)
        ranking = selectors.match_suggestions(need, limit=limit) if need.is_open else None
        ranking = ranking or scoring.Ranking()
        context = {"show_provider_categories": policies.can_see_all_categories(request.user, need)}
        payload = {
            "need": need.pk,
            "need_status": need.status,
            "suggestions": ranking.suggestions,
            "more_suggestions": ranking.more_suggestions,
            "held_back": ranking.held_back,
            "more_held_back": ranking.more_held_back,
        }
        return Response(MatchRankingSerializer(payload, context=context).data)


# --- Offers -----------------------------------------------------------------------------


@extend_schema_view(
    list=extend_schema(
        summary="Offers you may read",
        description="Every offer for staff roles; your own schools' offers for headteachers.",
        parameters=_list_parameters(Offer.Status.values),
        responses={200: OfferSerializer(many=True), 400: BAD_INPUT, 403: FORBIDDEN},
    ),
    retrieve=extend_schema(summary="One offer", responses={200: OfferSerializer, 403: FORBIDDEN}),
    create=extend_schema(
        summary="Log an offer",
        description="What a school can give in an academic year; its capacity left starts "
        "at all its days.",
        request=OfferWriteSerializer,
        responses={201: OfferSerializer, 400: BAD_INPUT, 403: FORBIDDEN},
    ),
)
class OfferViewSet(
    mixins.ListModelMixin, mixins.RetrieveModelMixin, mixins.CreateModelMixin, BrokerageViewSet
):
    serializer_class = OfferSerializer

    def get_queryset(self) -> QuerySet[Offer]:
        if self.is_schema():
            return Offer.objects.none()
        if self.action == "list":
            self.check_section()
            return _filtered(
                selectors.offers_visible_to(self.request.user, self.partnership),
                self.request.query_params,
                Offer.Status.values,
            )
        return Offer.objects.select_related("school", "area").prefetch_related("other_areas")

    def get_object(self) -> Offer:
        offer = super().get_object()
        require(policies.can_view_offer(self.request.user, offer))
        return offer

    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        require(policies.can_log_needs(request.user, self.partnership))
        data = OfferWriteSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        fields = dict(data.validated_data)
        school = fields.pop("school")
        require(policies.can_log_for_school(request.user, school))
        offer = run_service(
            services.create_offer,
            actor=request.user,
            partnership=self.partnership,
            school=school,
            **fields,
        )
        offer = self.get_queryset().get(pk=offer.pk)
        return Response(OfferSerializer(offer).data, status=status.HTTP_201_CREATED)


# --- Agreements and sessions ----------------------------------------------------------------


@extend_schema_view(
    list=extend_schema(
        summary="Support agreements you may read",
        description="Every agreement for a senior CA or admin; your caseload's for a CA; "
        "your own schools' for headteachers and governors; newest first.",
        parameters=[
            OpenApiParameter("status", OpenApiTypes.STR, enum=SupportAgreement.Status.values)
        ],
        responses={200: SupportAgreementSerializer(many=True), 400: BAD_INPUT, 403: FORBIDDEN},
    ),
    retrieve=extend_schema(
        summary="One support agreement", responses={200: SupportAgreementSerializer, 403: FORBIDDEN}
    ),
    create=extend_schema(
        summary="Make an agreement from a suggestion",
        description="A challenge adviser who brokers for the need's school accepts one of "
        "its suggestions: the days are drawn from the offer, the need becomes brokered and "
        "both headteachers are emailed to confirm. Refused (400) when the offer is not a "
        "suggestion the need may take: another area, withdrawn, too few days left, declined "
        "for this need, or held back by the category rule without an override.",
        request=SupportAgreementWriteSerializer,
        responses={201: SupportAgreementSerializer, 400: BAD_INPUT, 403: FORBIDDEN},
    ),
)
class AgreementViewSet(
    mixins.ListModelMixin, mixins.RetrieveModelMixin, mixins.CreateModelMixin, BrokerageViewSet
):
    serializer_class = SupportAgreementSerializer

    def get_queryset(self) -> QuerySet[SupportAgreement]:
        if self.is_schema():
            return SupportAgreement.objects.none()
        if self.action == "list":
            self.check_section()
            agreements = selectors.agreements_visible_to(self.request.user, self.partnership)
            filters = BrokerageListFilterSerializer(
                data=self.request.query_params, statuses=SupportAgreement.Status.values
            )
            filters.is_valid(raise_exception=True)
            if "status" in filters.validated_data:
                agreements = agreements.filter(status=filters.validated_data["status"])
        else:
            agreements = SupportAgreement.objects.select_related(
                "need", "need__area", "provider", "receiving_school"
            )
        return selectors.with_delivered_days(agreements.select_related("outcome"))

    def get_object(self) -> SupportAgreement:
        agreement = super().get_object()
        require(policies.can_view_agreement(self.request.user, agreement))
        return agreement

    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        # Who brokers depends on the need's school; one who brokers for none is refused
        # before the body is read.
        require(_brokers_for_some_school(request.user, self.partnership))
        data = SupportAgreementWriteSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        fields = dict(data.validated_data)
        need = Need.objects.select_related("school", "school__local_authority", "area").get(
            pk=fields.pop("need").pk
        )
        require(policies.is_broker_for_need(request.user, need))
        agreement = run_service(services.make_agreement, actor=request.user, need=need, **fields)
        agreement = self.get_queryset().get(pk=agreement.pk)
        return Response(SupportAgreementSerializer(agreement).data, status=status.HTTP_201_CREATED)

    @extend_schema(
        methods=["GET"],
        summary="Sessions delivered under an agreement",
        responses={200: DeliverySessionSerializer(many=True), 403: FORBIDDEN},
    )
    @extend_schema(
        methods=["POST"],
        summary="Log a session",
        description="Support delivered under a live agreement, by a headteacher of either "
        "school or a CA who brokers for the receiving school. The first session starts the "
        "agreement. Refused (400) for a future date, a date before the agreement starts, "
        "more days than are left to deliver, or an agreement that is not live.",
        request=DeliverySessionWriteSerializer,
        responses={201: DeliverySessionSerializer, 400: BAD_INPUT, 403: FORBIDDEN},
    )
    @action(detail=True, methods=["get", "post"], pagination_class=None)
    def sessions(self, request: Request, pk: str | None = None, **kwargs: Any) -> Response:
        agreement = self.get_object()
        if request.method == "GET":
            sessions = agreement.sessions.select_related("recorded_by").order_by("date", "id")
            return Response(DeliverySessionSerializer(sessions, many=True).data)
        require(
            policies.is_agreement_headteacher(request.user, agreement)
            or policies.is_broker_for_agreement(request.user, agreement)
        )
        data = DeliverySessionWriteSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        session = run_service(
            services.log_session, actor=request.user, agreement=agreement, **data.validated_data
        )
        return Response(DeliverySessionSerializer(session).data, status=status.HTTP_201_CREATED)
