"""Panels API (tenant-scoped, under /api/p/<slug>/panels/): panels, their members,
meetings with their agendas, actions, evaluations and consultations.

The same rules as the pages: reads through selectors.py, permissions from policies.py
(403 when the person may not, 404 when the row is not in the partnership), and every
write through services.py, whose ValidationErrors come back as 400 with the reasons by
field ("non_field_errors" for the others). docs/panels.md lists the endpoints.
"""

from __future__ import annotations

from typing import Any

from django.db.models import Q, QuerySet
from django.utils import timezone
from drf_spectacular.utils import extend_schema, extend_schema_field, extend_schema_view
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import ValidationError
from rest_framework.request import Request
from rest_framework.response import Response

from partnership.api import BAD_INPUT, DIGITS, FORBIDDEN, enum, require, run_service

from . import policies, selectors, services
from .models import (
    RESTRICTED_SEAT_TYPES,
    Action,
    ActionStatus,
    Consultation,
    Evaluation,
    EvaluationJudgement,
    ItemKind,
    Meeting,
    Panel,
    PanelMember,
    SeatType,
    StakeholderGroup,
)


def _is_schema(view: Any) -> bool:
    return getattr(view, "swagger_fake_view", False)


# --- Serializers -------------------------------------------------------------------------------


class PanelSerializer(serializers.ModelSerializer):
    area = serializers.CharField(source="area.name", read_only=True, allow_null=True, default=None)
    seat_count = serializers.IntegerField(read_only=True)
    member_count = serializers.IntegerField(read_only=True, help_text="Current members.")
    stakeholder_group = enum(
        StakeholderGroup,
        read_only=True,
        allow_blank=True,
        help_text="The partnership group the panel forms (its current members are invited "
        "when a consultation asks this group); empty for none.",
    )

    class Meta:
        model = Panel
        fields = [
            "id",
            "name",
            "area",
            "purpose",
            "terms_of_reference",
            "max_consecutive_terms",
            "term_warning_days",
            "stakeholder_group",
            "is_active",
            "seat_count",
            "member_count",
        ]
        read_only_fields = fields


class PanelMemberSerializer(serializers.ModelSerializer):
    panel = serializers.IntegerField(source="seat.panel_id", read_only=True)
    seat_type = enum(SeatType, source="seat.seat_type", read_only=True)
    seat = serializers.CharField(source="seat.label", read_only=True)
    person = serializers.CharField(source="user.get_full_name", read_only=True)

    class Meta:
        model = PanelMember
        fields = ["id", "panel", "seat_type", "seat", "person", "starts_on", "ends_on", "is_chair"]
        read_only_fields = fields


class PanelMeetingSerializer(serializers.ModelSerializer):
    panel = serializers.IntegerField(source="panel_id", read_only=True)
    minutes_approved = serializers.BooleanField(read_only=True)

    class Meta:
        model = Meeting
        fields = ["id", "panel", "starts_at", "ends_at", "place", "minutes_approved"]
        read_only_fields = fields


class PanelAgendaItemSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    position = serializers.IntegerField()
    kind = enum(ItemKind)
    title = serializers.CharField()
    presenter = serializers.CharField(allow_null=True)
    paper = serializers.CharField()
    carried_action = serializers.IntegerField(allow_null=True)
    minutes = serializers.CharField(allow_null=True, help_text="Null while you may not see them.")
    decision = serializers.CharField(allow_null=True)


class PanelActionSerializer(serializers.ModelSerializer):
    meeting = serializers.IntegerField(source="meeting_id", read_only=True)
    owner = serializers.IntegerField(source="owner_id", read_only=True)
    owner_name = serializers.CharField(source="owner.get_full_name", read_only=True)
    status = enum(ActionStatus, read_only=True)

    class Meta:
        model = Action
        fields = ["id", "meeting", "description", "owner", "owner_name", "due_on", "status"]
        read_only_fields = fields


class PanelMeetingDetailSerializer(PanelMeetingSerializer):
    agenda = serializers.SerializerMethodField()
    actions = serializers.SerializerMethodField()

    class Meta(PanelMeetingSerializer.Meta):
        fields = [*PanelMeetingSerializer.Meta.fields, "agenda", "actions"]
        read_only_fields = fields

    @extend_schema_field(PanelAgendaItemSerializer(many=True))
    def get_agenda(self, meeting: Meeting) -> list[dict[str, Any]]:
        return self.context["agenda"]

    @extend_schema_field(PanelActionSerializer(many=True))
    def get_actions(self, meeting: Meeting) -> list[dict[str, Any]]:
        return PanelActionSerializer(self.context["actions"], many=True).data


class PanelActionWriteSerializer(serializers.Serializer):
    meeting = serializers.IntegerField()
    description = serializers.CharField(max_length=4000)
    owner = serializers.IntegerField(help_text="The id of a person in the partnership.")
    due_on = serializers.DateField()


class PanelActionStatusSerializer(serializers.Serializer):
    status = enum(ActionStatus)


class ConsultationQuestionSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    text = serializers.CharField()


class ConsultationSectionSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    heading = serializers.CharField()
    body = serializers.CharField()
    questions = ConsultationQuestionSerializer(many=True, source="questions.all")


class ConsultationSerializer(serializers.ModelSerializer):
    groups = serializers.ListField(child=enum(StakeholderGroup), read_only=True)
    is_open = serializers.SerializerMethodField()
    has_responded = serializers.BooleanField(read_only=True)

    class Meta:
        model = Consultation
        fields = ["id", "title", "summary", "groups", "opens_at", "closes_at", "is_open"]
        fields += ["has_responded"]
        read_only_fields = fields

    def get_is_open(self, consultation: Consultation) -> bool:
        return consultation.is_open()


class ConsultationDetailSerializer(ConsultationSerializer):
    sections = serializers.SerializerMethodField()

    class Meta(ConsultationSerializer.Meta):
        fields = [*ConsultationSerializer.Meta.fields, "sections"]
        read_only_fields = fields

    def get_sections(self, consultation: Consultation) -> list[dict[str, Any]]:
        sections = selectors.consultation_paper(consultation)
        return ConsultationSectionSerializer(sections, many=True).data


class ConsultationResponseWriteSerializer(serializers.Serializer):
    group = enum(StakeholderGroup, help_text="One of your groups that the consultation invites.")
    answers = serializers.DictField(
        child=serializers.CharField(allow_blank=True, max_length=20000),
        help_text='Answers by question id: {"12": "Keep the groups small."}',
    )

    def validate_answers(self, value: dict[str, str]) -> dict[int, str]:
        try:
            return {int(key): text for key, text in value.items()}
        except ValueError:
            raise ValidationError("Key each answer by its question's id.") from None


class PanelEvaluationSerializer(serializers.ModelSerializer):
    judgement = enum(EvaluationJudgement, read_only=True)
    kind = serializers.SerializerMethodField(help_text='"programme" or "agreement".')
    subject_title = serializers.SerializerMethodField(
        help_text="The programme's title, or the agreement's provider and receiving school."
    )

    class Meta:
        model = Evaluation
        fields = [
            "id",
            "panel",
            "kind",
            "programme",
            "agreement",
            "subject_title",
            "judgement",
            "rationale",
            "evidence",
            "decided_at",
        ]
        read_only_fields = fields

    def get_kind(self, evaluation: Evaluation) -> str:
        return "programme" if evaluation.programme_id else "agreement"

    def get_subject_title(self, evaluation: Evaluation) -> str:
        return evaluation.programme.title if evaluation.programme_id else str(evaluation.agreement)


class PanelEvaluationWriteSerializer(serializers.Serializer):
    panel = serializers.IntegerField(min_value=1)
    kind = serializers.ChoiceField(choices=[("programme", "programme"), ("agreement", "agreement")])
    subject = serializers.IntegerField(
        min_value=1, help_text="The programme's or the support agreement's id."
    )
    judgement = enum(EvaluationJudgement)
    rationale = serializers.CharField(max_length=5000)


# --- Viewsets -------------------------------------------------------------------------------


@extend_schema_view(
    list=extend_schema(summary="Panels", description="Every panel of the partnership."),
    retrieve=extend_schema(summary="One panel"),
)
class PanelViewSet(viewsets.ReadOnlyModelViewSet):
    serializer_class = PanelSerializer
    lookup_value_regex = DIGITS

    def get_queryset(self) -> QuerySet[Panel]:
        if _is_schema(self):
            return Panel.objects.none()
        require(policies.can_view_panels(self.request.user, self.request.partnership))
        return selectors.panels_for(self.request.partnership)


@extend_schema_view(
    list=extend_schema(
        summary="Panel members",
        description="Every term on every seat (past, current and future); `?panel=<id>` "
        "keeps one panel's, `?current=true` only the terms running today.",
    ),
    retrieve=extend_schema(summary="One term on a seat"),
)
class PanelMemberViewSet(viewsets.ReadOnlyModelViewSet):
    serializer_class = PanelMemberSerializer
    lookup_value_regex = DIGITS

    def get_queryset(self) -> QuerySet[PanelMember]:
        if _is_schema(self):
            return PanelMember.objects.none()
        require(policies.can_view_panels(self.request.user, self.request.partnership))
        terms = PanelMember.objects.select_related("seat", "user").order_by(
            "seat__panel_id", "seat__position", "starts_on", "pk"
        )
        params = self.request.query_params
        if params.get("panel"):
            if not params["panel"].isdigit():
                raise ValidationError({"panel": ["Give a panel id."]})
            terms = terms.filter(seat__panel_id=int(params["panel"]))
        if params.get("current") == "true":
            today = timezone.localdate()
            terms = terms.filter(starts_on__lte=today, ends_on__gte=today)
        return terms


def _current_terms(user: Any) -> list[PanelMember]:
    today = timezone.localdate()
    return list(
        PanelMember.objects.filter(user=user, starts_on__lte=today, ends_on__gte=today)
        .select_related("seat")
        .order_by()
    )


def _visible_panel_ids(user: Any, partnership: Any, *, full: bool = False) -> list[int] | None:
    """None for the admin (every panel); otherwise the panels the user sits on now (with
    `full`, only those where they hold a seat other than a pupil or governor seat, or chair)."""
    if policies.can_manage_panels(user, partnership):
        return None
    return sorted(
        {
            term.seat.panel_id
            for term in _current_terms(user)
            if not full or term.is_chair or term.seat.seat_type not in RESTRICTED_SEAT_TYPES
        }
    )


@extend_schema_view(
    list=extend_schema(
        summary="Meetings you may read",
        description="Meetings of the panels you sit on now (every panel for the admin).",
    ),
    retrieve=extend_schema(
        summary="One meeting with its agenda and actions",
        description="Pupil and governor members get only the items marked for them and no "
        "actions; minutes and decisions are null until the minutes are approved (the chair "
        "and the admin see drafts).",
        responses=PanelMeetingDetailSerializer,
    ),
)
class MeetingViewSet(viewsets.ReadOnlyModelViewSet):
    serializer_class = PanelMeetingSerializer
    lookup_value_regex = DIGITS

    def get_queryset(self) -> QuerySet[Meeting]:
        if _is_schema(self):
            return Meeting.objects.none()
        meetings = Meeting.objects.select_related("panel").order_by("-starts_at", "pk")
        if self.action == "list":
            panels = _visible_panel_ids(self.request.user, self.request.partnership)
            if panels is not None:
                meetings = meetings.filter(panel_id__in=panels)
        return meetings

    def retrieve(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        meeting = self.get_object()
        user = request.user
        require(policies.can_view_papers(user, meeting.panel))
        papers = selectors.meeting_papers(meeting)
        agenda = []
        for item in papers["items"]:
            if not policies.can_view_item(user, item):
                continue
            minutes = policies.can_view_minutes(user, item)
            agenda.append(
                {
                    "id": item.pk,
                    "position": item.position,
                    "kind": item.kind,
                    "title": item.title,
                    "presenter": item.presenter.get_full_name() if item.presenter else None,
                    "paper": item.paper,
                    "carried_action": item.carried_action_id,
                    "minutes": item.minutes if minutes else None,
                    "decision": item.decision if minutes else None,
                }
            )
        full = policies.can_view_all_papers(user, meeting.panel)
        context = {"agenda": agenda, "actions": papers["actions"] if full else []}
        return Response(PanelMeetingDetailSerializer(meeting, context=context).data)


@extend_schema_view(
    list=extend_schema(
        summary="Actions you may read",
        description="Actions of the meetings of panels you sit on as a full member (every "
        "panel for the admin), and your own actions.",
    ),
    retrieve=extend_schema(summary="One action"),
    create=extend_schema(
        summary="Record an action",
        description="For the panel's members (not pupil or governor seats), its chair and "
        "the admin. Refused (400) without an owner in "
        "the partnership or without a due date. An open action joins the next meeting's "
        "agenda as a matter arising.",
        request=PanelActionWriteSerializer,
        responses={201: PanelActionSerializer},
    ),
    partial_update=extend_schema(
        summary="Change an action's status",
        description="For the chair, the admin or the action's owner.",
        request=PanelActionStatusSerializer,
        responses={200: PanelActionSerializer},
    ),
)
class ActionViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    viewsets.GenericViewSet,
):
    serializer_class = PanelActionSerializer
    lookup_value_regex = DIGITS
    http_method_names = ["get", "post", "patch", "head", "options"]

    def get_queryset(self) -> QuerySet[Action]:
        if _is_schema(self):
            return Action.objects.none()
        actions = Action.objects.select_related("owner", "meeting__panel").order_by("due_on", "pk")
        if self.action == "list":
            user = self.request.user
            panels = _visible_panel_ids(user, self.request.partnership, full=True)
            if panels is not None:
                actions = actions.filter(Q(meeting__panel_id__in=panels) | Q(owner=user))
        return actions

    def get_object(self) -> Action:
        found = super().get_object()
        user = self.request.user
        require(
            policies.can_view_all_papers(user, found.meeting.panel) or found.owner_id == user.pk
        )
        return found

    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        # Who may record depends on the meeting's panel; one who sits on no panel as a
        # full member (nor chairs one, nor is the admin) is refused before the body is read.
        require(_visible_panel_ids(request.user, request.partnership, full=True) != [])
        data = PanelActionWriteSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        fields = dict(data.validated_data)
        meeting = Meeting.objects.select_related("panel").filter(pk=fields.pop("meeting")).first()
        if meeting is None:
            raise ValidationError({"meeting": ["No such meeting."]})
        require(policies.can_record_action(request.user, meeting.panel))
        owner = selectors.people_of(request.partnership).filter(pk=fields.pop("owner")).first()
        if owner is None:
            raise ValidationError({"owner": ["The owner must be a member of the partnership."]})
        created = run_service(
            services.record_action, actor=request.user, meeting=meeting, owner=owner, **fields
        )
        return Response(PanelActionSerializer(created).data, status=status.HTTP_201_CREATED)

    def partial_update(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        found = self.get_object()
        require(
            policies.can_run_panel(request.user, found.meeting.panel)
            or found.owner_id == request.user.pk
        )
        data = PanelActionStatusSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        updated = run_service(
            services.update_action,
            actor=request.user,
            action=found,
            status=data.validated_data["status"],
        )
        return Response(PanelActionSerializer(updated).data)

    def update(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return self.partial_update(request, *args, **kwargs)


@extend_schema_view(
    list=extend_schema(
        summary="Consultations you may read",
        description="Every consultation for the admin; otherwise those inviting one of your "
        "stakeholder groups, once open.",
    ),
    retrieve=extend_schema(
        summary="One consultation with its paper", responses=ConsultationDetailSerializer
    ),
)
class ConsultationViewSet(viewsets.ReadOnlyModelViewSet):
    serializer_class = ConsultationSerializer
    lookup_value_regex = DIGITS
    pagination_class = None

    def get_queryset(self) -> Any:
        if _is_schema(self):
            return Consultation.objects.none()
        return Consultation.objects.select_related("panel")

    def list(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        user, partnership = request.user, request.partnership
        require(policies.can_view_panels(user, partnership))
        everything = policies.can_create_consultation(user, partnership)
        rows = selectors.consultations_for(user, partnership, everything=everything)
        return Response(ConsultationSerializer(rows, many=True).data)

    def retrieve(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        consultation = self.get_object()
        require(policies.can_view_consultation(request.user, consultation))
        consultation.has_responded = selectors.response_of(consultation, request.user) is not None
        return Response(ConsultationDetailSerializer(consultation).data)

    @extend_schema(
        summary="Respond to a consultation",
        description="Once per person, within the window, for one of your invited groups. "
        "Refused (400, nothing written) after the window closes, before it opens, for a "
        "second response, or with no answer.",
        request=ConsultationResponseWriteSerializer,
        responses={201: None},
    )
    @action(detail=True, methods=["post"])
    def respond(self, request: Request, pk: str | None = None, **kwargs: Any) -> Response:
        consultation = self.get_object()
        require(policies.can_respond(request.user, consultation))
        data = ConsultationResponseWriteSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        response = run_service(
            services.submit_response,
            actor=request.user,
            consultation=consultation,
            **data.validated_data,
        )
        return Response(
            {"id": response.pk, "group": response.group, "submitted_at": response.submitted_at},
            status=status.HTTP_201_CREATED,
        )

    @extend_schema(
        summary="Collated responses",
        description="Every answer per question and per invited group, for the admin and the "
        "leading panel's chair.",
        responses={200: None},
    )
    @action(detail=True, methods=["get"])
    def responses(self, request: Request, pk: str | None = None, **kwargs: Any) -> Response:
        consultation = self.get_object()
        require(policies.can_view_collation(request.user, consultation))
        collated = selectors.collate(consultation)
        return Response(
            {
                "total_responses": collated.total_responses,
                "questions": [
                    {
                        "id": row.question.pk,
                        "section": row.section.heading,
                        "text": row.question.text,
                        "groups": [
                            {
                                "group": group.group,
                                "answers": [
                                    {
                                        "respondent": a.response.respondent.get_full_name(),
                                        "text": a.text,
                                    }
                                    for a in group.answers
                                ],
                            }
                            for group in row.groups
                        ],
                    }
                    for row in collated.questions
                ],
            }
        )


@extend_schema_view(
    list=extend_schema(
        summary="Panels' judgements on programmes and support",
        description="Every judgement (continue, change or stop) the partnership's panels "
        "have recorded, newest first; they are published when recorded. `?panel=<id>` "
        "keeps one panel's.",
    ),
    retrieve=extend_schema(summary="One judgement"),
    create=extend_schema(
        summary="Record a judgement",
        description="The panel's chair or the admin records the panel's judgement on a "
        "programme or support agreement of its area, with the impact results it saw; an "
        "earlier judgement stays, the newest is the panel's current view.",
        request=PanelEvaluationWriteSerializer,
        responses={201: PanelEvaluationSerializer, 400: BAD_INPUT, 403: FORBIDDEN},
    ),
)
class EvaluationViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    viewsets.GenericViewSet,
):
    serializer_class = PanelEvaluationSerializer
    lookup_value_regex = DIGITS

    def get_queryset(self) -> QuerySet[Evaluation]:
        if _is_schema(self):
            return Evaluation.objects.none()
        require(policies.can_view_published_decisions(self.request.user, self.request.partnership))
        evaluations = Evaluation.objects.select_related(
            "programme", "agreement__provider", "agreement__receiving_school"
        ).order_by("-decided_at", "-pk")
        panel = self.request.query_params.get("panel")
        if panel and self.action == "list":
            if not panel.isdigit():
                raise ValidationError({"panel": ["Give a panel id."]})
            evaluations = evaluations.filter(panel_id=int(panel))
        return evaluations

    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        user = request.user
        # Only the admin and panel chairs record judgements: others are refused before
        # the body is read; which panel a chair may judge for is checked below.
        require(
            policies.can_manage_panels(user, request.partnership)
            or any(term.is_chair for term in _current_terms(user))
        )
        data = PanelEvaluationWriteSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        fields = dict(data.validated_data)
        panel = Panel.objects.filter(pk=fields.pop("panel")).first()
        if panel is None:
            raise ValidationError({"panel": ["No such panel."]})
        require(policies.can_record_evaluation(user, panel))
        created = run_service(
            services.record_evaluation,
            actor=user,
            panel=panel,
            kind=fields["kind"],
            subject_id=fields["subject"],
            judgement=fields["judgement"],
            rationale=fields["rationale"],
            request=request,
        )
        return Response(
            PanelEvaluationSerializer(self.get_queryset().get(pk=created.pk)).data,
            status=status.HTTP_201_CREATED,
        )
