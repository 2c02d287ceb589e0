"""API for hubs, programmes, sessions, enrolments, calls and bids (tenant-scoped).

The same selectors, policies and services as the pages: an object the user may not see is
404 (as on the pages), an action they may not take is 403, and a write that breaks a rule
(no places left and so on) is 400 with the reasons, keyed by field.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ObjectDoesNotExist
from django.db.models import Prefetch
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import (
    OpenApiParameter,
    OpenApiResponse,
    extend_schema,
    extend_schema_field,
    extend_schema_view,
)
from rest_framework import serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import NotFound, ValidationError
from rest_framework.request import Request
from rest_framework.response import Response

from partnership.api import BAD_INPUT, DIGITS, FORBIDDEN, enum, require, run_service
from schools.models import Phase

from . import policies, selectors, services
from .forms import CatalogueFilterForm, GroupEnrolForm
from .models import (
    MAX_SCORE,
    AudienceRole,
    Bid,
    BidScore,
    BidStatus,
    Call,
    CallCriterion,
    CallStatus,
    DeliveryLanguage,
    Document,
    Enrolment,
    EnrolmentStatus,
    Hub,
    HubStatus,
    Programme,
    ProgrammeSession,
    ProgrammeStatus,
)


@extend_schema_field(OpenApiTypes.INT)
class HeadedSchoolField(serializers.PrimaryKeyRelatedField):
    """A school the requesting user is headteacher of (the only schools they act for)."""

    def get_queryset(self) -> Any:
        request = self.context["request"]
        return selectors.schools_headed_by(request.user, request.partnership)


# --- Hubs and value for money ----------------------------------------------------------------


class HubSerializer(serializers.ModelSerializer):
    area = serializers.PrimaryKeyRelatedField(read_only=True)
    area_name = serializers.CharField(source="area.display_name", read_only=True)
    schools = serializers.PrimaryKeyRelatedField(many=True, read_only=True)
    status = enum(HubStatus, read_only=True)
    programme_count = serializers.IntegerField(read_only=True)

    class Meta:
        model = Hub
        fields = [
            "id",
            "name",
            "area",
            "area_name",
            "schools",
            "description",
            "starts_on",
            "ends_on",
            "status",
            "programme_count",
        ]


def _money(**kwargs: Any) -> serializers.DecimalField:
    return serializers.DecimalField(max_digits=14, decimal_places=2, read_only=True, **kwargs)


def _rate(help_text: str) -> serializers.DecimalField:
    return serializers.DecimalField(
        max_digits=5, decimal_places=1, read_only=True, allow_null=True, help_text=help_text
    )


class ValueFiguresSerializer(serializers.Serializer):
    funding = _money(help_text="Funding of every service level agreement (£).")
    spend = _money(help_text="Actual spend on the agreements' budget lines (£).")
    spend_rate = _rate("Per cent of the funding spent; null when there is no funding.")
    programmes = serializers.IntegerField(read_only=True)
    participants = serializers.IntegerField(read_only=True, help_text="Confirmed places.")
    attended = serializers.IntegerField(read_only=True, help_text="Register marks: attended.")
    marks = serializers.IntegerField(read_only=True, help_text="Register marks recorded.")
    attendance_rate = _rate("Per cent of the marks that say attended; null with no marks.")
    deliverables_done = serializers.IntegerField(read_only=True)
    deliverables = serializers.IntegerField(read_only=True)
    cost_per_participant = _money(
        allow_null=True, help_text="Spend divided by participants (£); null with none."
    )
    impact = _rate(
        "Start-to-end change of the mean impact-survey score (points on the 1-5 scale); "
        "null until both surveys have answers."
    )
    impact_retained = _rate(
        "Six-months-after minus start of the mean impact-survey score; null until answered."
    )


class HubValueSerializer(serializers.Serializer):
    hub = serializers.IntegerField(source="hub.pk", read_only=True)
    hub_name = serializers.CharField(source="hub.name", read_only=True)
    area = serializers.IntegerField(source="hub.area_id", read_only=True)
    figures = ValueFiguresSerializer(read_only=True)


class AreaValueSerializer(serializers.Serializer):
    area = serializers.IntegerField(source="area.pk", read_only=True)
    area_name = serializers.CharField(source="area.display_name", read_only=True)
    hubs = serializers.SerializerMethodField()
    figures = ValueFiguresSerializer(read_only=True)

    def get_hubs(self, group: selectors.AreaValue) -> list[int]:
        return [row.hub.pk for row in group.hubs]


class ValueForMoneySerializer(serializers.Serializer):
    hubs = HubValueSerializer(many=True, read_only=True)
    areas = AreaValueSerializer(many=True, read_only=True)
    total = ValueFiguresSerializer(read_only=True)


class ProgrammeValueSerializer(serializers.Serializer):
    programme = serializers.IntegerField(source="programme.pk", read_only=True)
    title = serializers.CharField(source="programme.title", read_only=True)
    figures = ValueFiguresSerializer(read_only=True)


class HubValueDetailSerializer(serializers.Serializer):
    hub = serializers.IntegerField(source="hub.pk", read_only=True)
    hub_name = serializers.CharField(source="hub.name", read_only=True)
    figures = ValueFiguresSerializer(read_only=True)
    programmes = ProgrammeValueSerializer(many=True, read_only=True)


class HubViewSet(viewsets.ReadOnlyModelViewSet):
    """Hubs: one school or several designated for an area for a period."""

    serializer_class = HubSerializer
    lookup_value_regex = DIGITS

    def get_queryset(self) -> Any:
        if getattr(self, "swagger_fake_view", False):
            return Hub.objects.none()
        return selectors.hub_list()

    @extend_schema(
        operation_id="p_hubs_value_for_money",
        responses={200: ValueForMoneySerializer, 403: FORBIDDEN},
    )
    @action(detail=False, url_path="value", url_name="value-for-money")
    def value_for_money(self, request: Request, **kwargs: Any) -> Response:
        """Every hub's funding, spend, participants, attendance and deliverables, side by
        side and summed per area (admin, challenge advisers and panel members)."""
        require(policies.can_view_value_for_money(request.user, request.partnership))
        return Response(ValueForMoneySerializer(selectors.value_for_money()).data)

    @extend_schema(responses={200: HubValueDetailSerializer, 403: FORBIDDEN})
    @action(detail=True, url_path="value")
    def value(self, request: Request, **kwargs: Any) -> Response:
        """One hub's figures and each programme's (those who may see the hub's agreement)."""
        try:
            detail = selectors.hub_value(int(kwargs["pk"]))
        except ObjectDoesNotExist:
            raise NotFound from None
        require(policies.can_view_hub_agreement(request.user, detail.hub))
        return Response(HubValueDetailSerializer(detail).data)


# --- Programmes and sessions ------------------------------------------------------------------


class SessionSerializer(serializers.ModelSerializer):
    class Meta:
        model = ProgrammeSession
        fields = [
            "id",
            "programme",
            "position",
            "title",
            "date",
            "starts_at",
            "ends_at",
            "venue",
            "online_url",
        ]


class ProgrammeSerializer(serializers.ModelSerializer):
    hub_name = serializers.CharField(source="hub.name", read_only=True)
    area_name = serializers.CharField(source="area.display_name", read_only=True)
    phases = serializers.ListField(
        child=enum(Phase), read_only=True, help_text="Empty: every phase."
    )
    audience_roles = serializers.ListField(
        child=enum(AudienceRole), read_only=True, help_text="Empty: all staff."
    )
    delivery_language = enum(DeliveryLanguage, read_only=True)
    status = enum(ProgrammeStatus, read_only=True)
    places_taken = serializers.IntegerField(source="confirmed_count", read_only=True)
    waiting = serializers.IntegerField(source="waiting_count", read_only=True)
    sessions = SessionSerializer(many=True, read_only=True)

    class Meta:
        model = Programme
        fields = [
            "id",
            "hub",
            "hub_name",
            "title",
            "description",
            "area",
            "area_name",
            "phases",
            "audience_roles",
            "places",
            "places_taken",
            "waiting",
            "delivery_language",
            "is_free",
            "price",
            "status",
            "sessions",
        ]
        read_only_fields = fields


class EnrolmentSerializer(serializers.ModelSerializer):
    programme_title = serializers.CharField(source="programme.title", read_only=True)
    school_name = serializers.CharField(source="school.name", read_only=True)
    participant_role = enum(AudienceRole, read_only=True)
    status = enum(EnrolmentStatus, read_only=True)

    class Meta:
        model = Enrolment
        fields = [
            "id",
            "programme",
            "programme_title",
            "school",
            "school_name",
            "participant_name",
            "participant_email",
            "participant_role",
            "status",
            "group",
            "created_at",
            "confirmed_at",
            "cancelled_at",
        ]
        read_only_fields = fields


class EnrolRequestSerializer(serializers.Serializer):
    school = HeadedSchoolField(help_text="A school you are headteacher of.")
    participant_name = serializers.CharField(max_length=150)
    participant_email = serializers.EmailField(max_length=254)
    participant_role = enum(AudienceRole)


class GroupParticipantSerializer(serializers.Serializer):
    school = serializers.IntegerField(min_value=1, help_text="A school of the group (id).")
    name = serializers.CharField(max_length=150)
    email = serializers.EmailField(max_length=254)
    role = enum(AudienceRole)


class GroupEnrolRequestSerializer(serializers.Serializer):
    group = serializers.RegexField(
        r"^(cluster|sig):[0-9]+$",
        max_length=30,
        help_text="`cluster:<id>` or `sig:<id>`: a group that includes a school you head.",
    )
    participants = GroupParticipantSerializer(many=True, allow_empty=False, max_length=200)
    allow_waiting_list = serializers.BooleanField(
        default=False, help_text="Put those without a place on the waiting list."
    )


class GroupEnrolmentSerializer(serializers.Serializer):
    id = serializers.IntegerField(read_only=True)
    enrolments = EnrolmentSerializer(many=True, read_only=True)


def _group_participants(request: Request, data: dict[str, Any]) -> tuple[Any, list]:
    """The chosen group and its participants, or a 400 naming what is not allowed."""
    groups = {
        GroupEnrolForm.key(g): g
        for g in selectors.groups_for_headteacher(request.user, request.partnership)
    }
    group = groups.get(data["group"])
    if group is None:
        raise ValidationError({"group": [_("Choose a cluster or SIG that includes your school.")]})
    schools = {s.pk: s for s in selectors.schools_in_groups([group])}
    participants = []
    for row, person in enumerate(data["participants"], start=1):
        school = schools.get(person["school"])
        if school is None:
            raise ValidationError(
                {
                    "participants": [
                        _("Person %(row)s: the school is not in %(group)s.")
                        % {"row": row, "group": group}
                    ]
                }
            )
        participants.append(
            services.ParticipantInput(
                school=school, name=person["name"], email=person["email"], role=person["role"]
            )
        )
    return group, participants


CATALOGUE_FILTERS = [
    OpenApiParameter("q", OpenApiTypes.STR, description="Title, description or hub name."),
    OpenApiParameter("area", OpenApiTypes.INT, description="Area id."),
    OpenApiParameter("phase", OpenApiTypes.STR, enum=Phase.values),
    OpenApiParameter("language", OpenApiTypes.STR, enum=DeliveryLanguage.values),
    OpenApiParameter("starts_from", OpenApiTypes.DATE, description="With a session from."),
    OpenApiParameter("starts_to", OpenApiTypes.DATE, description="With a session until."),
    OpenApiParameter("free_only", OpenApiTypes.BOOL, description="Free programmes only."),
]


@extend_schema_view(list=extend_schema(parameters=CATALOGUE_FILTERS))
class ProgrammeViewSet(viewsets.ReadOnlyModelViewSet):
    """The catalogue: published programmes, filtered exactly like the web catalogue. A
    programme's own page also answers for drafts to those who may edit them."""

    serializer_class = ProgrammeSerializer
    lookup_value_regex = DIGITS

    def get_queryset(self) -> Any:
        if getattr(self, "swagger_fake_view", False):
            return Programme.objects.none()
        filters = None
        if self.request.query_params:
            form = CatalogueFilterForm(self.request.query_params)
            if not form.is_valid():
                raise ValidationError(form.errors)
            filters = form.filters()
        return selectors.catalogue(filters).prefetch_related(
            Prefetch("sessions", queryset=ProgrammeSession.objects.order_by("date", "starts_at"))
        )

    def get_object(self) -> Programme:
        try:
            programme = selectors.programme_detail(int(self.kwargs["pk"]))
        except ObjectDoesNotExist:
            raise NotFound from None
        if not policies.can_view_programme(self.request.user, programme):
            raise NotFound
        return programme

    @extend_schema(
        request=EnrolRequestSerializer,
        responses={201: EnrolmentSerializer, 400: BAD_INPUT, 403: FORBIDDEN},
    )
    @action(detail=True, methods=["post"])
    def enrol(self, request: Request, **kwargs: Any) -> Response:
        """Enrol a member of your school's staff: a place if one is left, otherwise the
        waiting list (see the enrolment's status). Headteachers only."""
        programme = self.get_object()
        require(policies.can_enrol(request.user, programme))
        data = EnrolRequestSerializer(data=request.data, context=self.get_serializer_context())
        data.is_valid(raise_exception=True)
        enrolment = run_service(
            services.enrol, actor=request.user, programme=programme, **data.validated_data
        )
        return Response(EnrolmentSerializer(enrolment).data, status=status.HTTP_201_CREATED)

    @extend_schema(
        request=GroupEnrolRequestSerializer,
        responses={201: GroupEnrolmentSerializer, 400: BAD_INPUT, 403: FORBIDDEN},
    )
    @action(detail=True, methods=["post"], url_path="enrol-group")
    def enrol_group(self, request: Request, **kwargs: Any) -> Response:
        """Enrol staff of several schools of your cluster or SIG together: everyone or no
        one (unless `allow_waiting_list`, when those without a place wait). Headteachers."""
        programme = self.get_object()
        require(policies.can_enrol(request.user, programme))
        data = GroupEnrolRequestSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        group, participants = _group_participants(request, data.validated_data)
        created = run_service(
            services.enrol_group,
            actor=request.user,
            programme=programme,
            group=group,
            participants=participants,
            allow_waiting_list=data.validated_data["allow_waiting_list"],
        )
        enrolments = Enrolment.objects.filter(group=created).select_related("school")
        return Response(
            GroupEnrolmentSerializer({"id": created.pk, "enrolments": enrolments}).data,
            status=status.HTTP_201_CREATED,
        )


class RegisterMarkSerializer(serializers.Serializer):
    enrolment = serializers.IntegerField(help_text="A confirmed enrolment on the programme.")
    attended = serializers.BooleanField()


class RegisterRowSerializer(serializers.Serializer):
    enrolment = serializers.IntegerField(source="enrolment.pk", read_only=True)
    participant_name = serializers.CharField(source="enrolment.participant_name", read_only=True)
    school = serializers.IntegerField(source="enrolment.school_id", read_only=True)
    school_name = serializers.CharField(source="enrolment.school.name", read_only=True)
    attended = serializers.BooleanField(
        read_only=True, allow_null=True, help_text="null: not recorded yet."
    )


SESSION_FILTERS = [
    OpenApiParameter("programme", OpenApiTypes.INT, description="Programme id."),
    OpenApiParameter("date_from", OpenApiTypes.DATE, description="On or after this date."),
    OpenApiParameter("date_to", OpenApiTypes.DATE, description="On or before this date."),
]


class SessionFilterSerializer(serializers.Serializer):
    programme = serializers.IntegerField(required=False, min_value=1)
    date_from = serializers.DateField(required=False)
    date_to = serializers.DateField(required=False)


def _filters(serializer_class: type[serializers.Serializer], request: Request) -> dict[str, Any]:
    """Query parameters checked by a serializer; bad ones are 400 with the reason."""
    filters = serializer_class(data=request.query_params)
    filters.is_valid(raise_exception=True)
    return filters.validated_data


@extend_schema_view(list=extend_schema(parameters=SESSION_FILTERS))
class SessionViewSet(viewsets.ReadOnlyModelViewSet):
    """Programme sessions; hub leads read and record their registers here."""

    serializer_class = SessionSerializer
    lookup_value_regex = DIGITS

    def get_queryset(self) -> Any:
        if getattr(self, "swagger_fake_view", False):
            return ProgrammeSession.objects.none()
        sessions = selectors.sessions_visible_to(self.request.user, self.request.partnership)
        if self.action == "list":
            filters = _filters(SessionFilterSerializer, self.request)
            if "programme" in filters:
                sessions = sessions.filter(programme_id=filters["programme"])
            if "date_from" in filters:
                sessions = sessions.filter(date__gte=filters["date_from"])
            if "date_to" in filters:
                sessions = sessions.filter(date__lte=filters["date_to"])
        return sessions

    @extend_schema(
        methods=["GET"],
        operation_id="p_hubs_sessions_register_retrieve",
        responses={200: RegisterRowSerializer(many=True), 403: FORBIDDEN},
    )
    @extend_schema(
        methods=["POST"],
        request=RegisterMarkSerializer(many=True),
        responses={200: RegisterRowSerializer(many=True), 400: BAD_INPUT, 403: FORBIDDEN},
    )
    @action(detail=True, methods=["get", "post"])
    def register(self, request: Request, **kwargs: Any) -> Response:
        """The session's register: every confirmed participant and whether they attended.
        POST marks some or all of them (hub leads of the programme's hub, and the admin)."""
        self.get_object()  # 404 for a session the user may not see
        try:
            session = selectors.session_for_register(int(kwargs["pk"]))
        except ObjectDoesNotExist:
            raise NotFound from None
        require(policies.can_keep_register(request.user, session.programme))
        if request.method == "POST":
            marks = RegisterMarkSerializer(data=request.data, many=True)
            marks.is_valid(raise_exception=True)
            run_service(
                services.record_register,
                actor=request.user,
                session=session,
                attended={m["enrolment"]: m["attended"] for m in marks.validated_data},
            )
        rows = selectors.register_for(session)
        return Response(RegisterRowSerializer(rows, many=True).data)


ENROLMENT_FILTERS = [
    OpenApiParameter("programme", OpenApiTypes.INT, description="Programme id."),
    OpenApiParameter("status", OpenApiTypes.STR, enum=EnrolmentStatus.values),
]


class EnrolmentFilterSerializer(serializers.Serializer):
    programme = serializers.IntegerField(required=False, min_value=1)
    status = serializers.ChoiceField(choices=EnrolmentStatus.choices, required=False)


@extend_schema_view(list=extend_schema(parameters=ENROLMENT_FILTERS))
class EnrolmentViewSet(viewsets.ReadOnlyModelViewSet):
    """Enrolments you may see: your own schools' staff (headteachers), those on your hub's
    programmes (hub leads), or all (admin and challenge advisers). Every status, unless
    filtered."""

    serializer_class = EnrolmentSerializer
    lookup_value_regex = DIGITS

    def get_queryset(self) -> Any:
        if getattr(self, "swagger_fake_view", False):
            return Enrolment.objects.none()
        enrolments = selectors.enrolments_visible_to(self.request.user, self.request.partnership)
        if self.action == "list":
            filters = _filters(EnrolmentFilterSerializer, self.request)
            if "programme" in filters:
                enrolments = enrolments.filter(programme_id=filters["programme"])
            if "status" in filters:
                enrolments = enrolments.filter(status=filters["status"])
        return enrolments

    @extend_schema(request=None, responses={200: EnrolmentSerializer, 403: FORBIDDEN})
    @action(detail=True, methods=["post"])
    def cancel(self, request: Request, **kwargs: Any) -> Response:
        """Cancel a place or a waiting-list entry; a freed place goes to the first person on
        the waiting list. Cancelling twice changes nothing."""
        enrolment = get_object_or_404(
            Enrolment.objects.select_related("programme__hub").prefetch_related(
                "programme__hub__schools"
            ),
            pk=self.get_object().pk,
        )
        require(policies.can_cancel_enrolment(request.user, enrolment))
        cancelled = run_service(services.cancel_enrolment, actor=request.user, enrolment=enrolment)
        return Response(EnrolmentSerializer(self.get_queryset().get(pk=cancelled.pk)).data)


# --- Commissioning -----------------------------------------------------------------------------


class CallCriterionSerializer(serializers.ModelSerializer):
    class Meta:
        model = CallCriterion
        fields = ["id", "title", "description", "weight", "position"]


class AwardSummarySerializer(serializers.Serializer):
    school = serializers.IntegerField(source="bid.school_id", read_only=True)
    school_name = serializers.CharField(source="bid.school.name", read_only=True)
    reasons = serializers.CharField(read_only=True)
    decided_at = serializers.DateTimeField(read_only=True)


class CallSerializer(serializers.ModelSerializer):
    area_name = serializers.CharField(source="area.display_name", read_only=True)
    status = enum(CallStatus, read_only=True)
    accepting_bids = serializers.SerializerMethodField()
    criteria = CallCriterionSerializer(many=True, read_only=True)
    award = serializers.SerializerMethodField()

    class Meta:
        model = Call
        fields = [
            "id",
            "title",
            "area",
            "area_name",
            "need",
            "brief",
            "budget",
            "deadline",
            "status",
            "accepting_bids",
            "renews_hub",
            "criteria",
            "award",
        ]
        read_only_fields = fields

    def get_accepting_bids(self, call: Call) -> bool:
        return call.is_accepting_bids()

    @extend_schema_field(AwardSummarySerializer(allow_null=True))
    def get_award(self, call: Call) -> dict[str, Any] | None:
        award = getattr(call, "award", None) if call.status == CallStatus.AWARDED else None
        return AwardSummarySerializer(award).data if award else None


class DocumentSerializer(serializers.ModelSerializer):
    class Meta:
        model = Document
        fields = ["id", "original_name", "content_type", "size", "uploaded_at"]


class BidScoreSerializer(serializers.ModelSerializer):
    criterion_title = serializers.CharField(source="criterion.title", read_only=True)
    weight = serializers.IntegerField(source="criterion.weight", read_only=True)

    class Meta:
        model = BidScore
        fields = ["criterion", "criterion_title", "weight", "score", "comment"]


class BidSerializer(serializers.ModelSerializer):
    """Scores and feedback are shown once the call is decided (or to those who score)."""

    call_title = serializers.CharField(source="call.title", read_only=True)
    school_name = serializers.CharField(source="school.name", read_only=True)
    status = enum(BidStatus, read_only=True)
    delivery_language = enum(DeliveryLanguage, read_only=True)
    score_percent = serializers.DecimalField(
        max_digits=5, decimal_places=1, read_only=True, allow_null=True
    )
    feedback = serializers.CharField(read_only=True, allow_null=True)
    scores = BidScoreSerializer(many=True, read_only=True, allow_null=True)
    documents = DocumentSerializer(many=True, read_only=True)

    class Meta:
        model = Bid
        fields = [
            "id",
            "call",
            "call_title",
            "school",
            "school_name",
            "status",
            "proposal",
            "delivery_plan",
            "cost",
            "capacity",
            "delivery_language",
            "submitted_at",
            "score_percent",
            "feedback",
            "scores",
            "documents",
        ]
        read_only_fields = fields

    def to_representation(self, bid: Bid) -> dict[str, Any]:
        data = super().to_representation(bid)
        user = self.context["request"].user
        if bid.status == BidStatus.SUBMITTED and not policies.can_score_bid(user, bid):
            data["score_percent"] = data["feedback"] = data["scores"] = None
        return data


class BidRequestSerializer(serializers.Serializer):
    school = HeadedSchoolField(help_text="A school you are headteacher of.")
    proposal = serializers.CharField(max_length=10000)
    delivery_plan = serializers.CharField(max_length=10000)
    cost = serializers.DecimalField(max_digits=10, decimal_places=2, min_value=0)
    capacity = serializers.IntegerField(min_value=1, max_value=10000)
    delivery_language = enum(DeliveryLanguage)
    document = serializers.FileField(required=False, help_text="Supporting document.")


class AwardRequestSerializer(serializers.Serializer):
    bid = serializers.IntegerField(min_value=1, help_text="The winning bid (of this call).")
    reasons = serializers.CharField(max_length=10000)
    starts_on = serializers.DateField(help_text="Start of the hub designation.")
    ends_on = serializers.DateField(help_text="End of the hub designation.")


class CriterionScoreSerializer(serializers.Serializer):
    criterion = serializers.IntegerField(min_value=1)
    score = serializers.IntegerField(min_value=0, max_value=MAX_SCORE)
    comment = serializers.CharField(max_length=5000, required=False, allow_blank=True)


class ScoreRequestSerializer(serializers.Serializer):
    scores = CriterionScoreSerializer(many=True, allow_empty=False, max_length=50)
    feedback = serializers.CharField(max_length=10000)


class CallViewSet(viewsets.ReadOnlyModelViewSet):
    """Calls for provision. Drafts only for those who run calls."""

    serializer_class = CallSerializer
    lookup_value_regex = DIGITS

    def get_queryset(self) -> Any:
        if getattr(self, "swagger_fake_view", False):
            return Call.objects.none()
        can_manage = policies.can_manage_calls(self.request.user, self.request.partnership)
        return (
            selectors.calls_list(include_drafts=can_manage)
            .select_related("award__bid__school")
            .prefetch_related(
                Prefetch("criteria", queryset=CallCriterion.objects.order_by("position", "pk"))
            )
        )

    @extend_schema(
        request=BidRequestSerializer,
        responses={
            200: OpenApiResponse(BidSerializer, description="Your school's bid was changed."),
            201: BidSerializer,
            400: BAD_INPUT,
            403: FORBIDDEN,
        },
    )
    @action(detail=True, methods=["post"])
    def bid(self, request: Request, **kwargs: Any) -> Response:
        """Bid for your school (headteachers), or change its bid, until the deadline. Late
        bids are refused (400)."""
        call = self.get_object()
        require(policies.can_bid(request.user, call))
        data = BidRequestSerializer(data=request.data, context=self.get_serializer_context())
        data.is_valid(raise_exception=True)
        school = data.validated_data["school"]
        existed = Bid.objects.filter(call=call, school=school).exists()
        bid = run_service(services.submit_bid, actor=request.user, call=call, **data.validated_data)
        bid = selectors.bids_visible_to(request.user, request.partnership).get(pk=bid.pk)
        return Response(
            BidSerializer(bid, context=self.get_serializer_context()).data,
            status=status.HTTP_200_OK if existed else status.HTTP_201_CREATED,
        )

    @extend_schema(
        request=AwardRequestSerializer,
        responses={200: CallSerializer, 400: BAD_INPUT, 403: FORBIDDEN},
    )
    @action(detail=True, methods=["post"])
    def award(self, request: Request, **kwargs: Any) -> Response:
        """Decide the call for one of its bids, with reasons every bidder reads; creates or
        renews the winner's hub designation. Every bid must have been scored."""
        call = self.get_object()
        require(policies.can_decide_call(request.user, call))
        data = AwardRequestSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        bid = Bid.objects.filter(call=call, pk=data.validated_data.pop("bid")).first()
        if bid is None:
            raise ValidationError({"bid": [_("Choose a bid made for this call.")]})
        run_service(
            services.award_call, actor=request.user, call=call, bid=bid, **data.validated_data
        )
        return Response(self.get_serializer(self.get_queryset().get(pk=call.pk)).data)


class BidFilterSerializer(serializers.Serializer):
    call = serializers.IntegerField(required=False, min_value=1)


@extend_schema_view(
    list=extend_schema(
        parameters=[OpenApiParameter("call", OpenApiTypes.INT, description="Call id.")]
    )
)
class BidViewSet(viewsets.ReadOnlyModelViewSet):
    """Bids: every bid for those who decide calls; otherwise only your own schools'."""

    serializer_class = BidSerializer
    lookup_value_regex = DIGITS

    def get_queryset(self) -> Any:
        if getattr(self, "swagger_fake_view", False):
            return Bid.objects.none()
        bids = selectors.bids_visible_to(self.request.user, self.request.partnership)
        if self.action == "list":
            filters = _filters(BidFilterSerializer, self.request)
            if "call" in filters:
                bids = bids.filter(call_id=filters["call"])
        return bids

    @extend_schema(
        request=ScoreRequestSerializer,
        responses={200: BidSerializer, 400: BAD_INPUT, 403: FORBIDDEN},
    )
    @action(detail=True, methods=["post"])
    def score(self, request: Request, **kwargs: Any) -> Response:
        """Score the bid on every published criterion (0 to 5) after the deadline, with the
        feedback the school reads once the call is decided. Those who decide calls only."""
        bid = self.get_object()
        require(policies.can_score_bid(request.user, bid))
        data = ScoreRequestSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        scores = {
            row["criterion"]: (row["score"], row.get("comment", ""))
            for row in data.validated_data["scores"]
        }
        run_service(
            services.score_bid,
            actor=request.user,
            bid=bid,
            scores=scores,
            feedback=data.validated_data["feedback"],
        )
        bid = self.get_queryset().get(pk=bid.pk)
        return Response(self.get_serializer(bid).data)
