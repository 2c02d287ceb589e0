"""Collaboration API (tenant-scoped, under /api/p/<slug>/collaboration/): group projects,
their budget lines and spending, and the resource library.

The same rules as the pages: reads through selectors.py, permissions from policies.py
(403 when the person may not, 404 when the row is not in the partnership), and every
write through services.py, whose ValidationErrors come back as 400 with the reasons by
field ("non_field_errors" for the others). docs/collaboration.md lists the endpoints.
"""

from __future__ import annotations

from typing import Any

from django.db.models import Prefetch, Q, QuerySet
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
from rest_framework.parsers import FormParser, JSONParser, MultiPartParser
from rest_framework.request import Request
from rest_framework.response import Response

from hubs.models import BudgetCategory, Hub, Programme
from partnership.api import BAD_INPUT, DIGITS, FORBIDDEN, require, run_service
from partnership.models import Area, Role
from partnership.policies import is_staff_role, school_ids_with_role
from schools.models import Cluster, Phase, School, SchoolImprovementGroup

from . import policies, selectors, services
from .models import (
    GroupProject,
    Licence,
    ProjectBudgetLine,
    ProjectStatus,
    Resource,
    ResourceKind,
    ResourceLanguage,
)

# --- Serializers: what the API shows --------------------------------------------------------------


class CollaborationSchoolSerializer(serializers.Serializer):
    id = serializers.IntegerField(read_only=True)
    name = serializers.CharField(read_only=True)


class CollaborationAreaSerializer(serializers.Serializer):
    id = serializers.IntegerField(read_only=True)
    name = serializers.CharField(source="display_name", read_only=True)


class CollaborationGroupSerializer(serializers.Serializer):
    kind = serializers.CharField(help_text="cluster or sig.")
    id = serializers.IntegerField()
    name = serializers.CharField()
    parent = serializers.IntegerField(allow_null=True, help_text="The SIG a sub-group is part of.")


class BudgetLineSerializer(serializers.ModelSerializer):
    remaining = serializers.DecimalField(max_digits=12, decimal_places=2, read_only=True)

    class Meta:
        model = ProjectBudgetLine
        fields = ["id", "project", "category", "description", "allocated", "spent", "remaining"]
        read_only_fields = fields


class ProjectFundingSerializer(serializers.Serializer):
    allocated = serializers.DecimalField(max_digits=12, decimal_places=2)
    planned = serializers.DecimalField(max_digits=12, decimal_places=2)
    spent = serializers.DecimalField(max_digits=12, decimal_places=2)


class ProjectEvaluationSerializer(serializers.Serializer):
    what_changed = serializers.CharField()
    evidence = serializers.CharField()
    whole_school_reach = serializers.CharField()
    staff_involved = serializers.IntegerField()
    staff_reached = serializers.IntegerField()
    recorded_at = serializers.DateTimeField()


class ProjectSerializer(serializers.ModelSerializer):
    group = serializers.SerializerMethodField()
    area = CollaborationAreaSerializer(read_only=True)
    lead_school = CollaborationSchoolSerializer(read_only=True)
    schools = serializers.PrimaryKeyRelatedField(many=True, read_only=True)
    funding = serializers.SerializerMethodField()
    evaluation = serializers.SerializerMethodField()

    class Meta:
        model = GroupProject
        fields = [
            "id",
            "title",
            "group",
            "area",
            "aims",
            "need",
            "schools",
            "lead_school",
            "starts_on",
            "ends_on",
            "status",
            "outputs",
            "funding",
            "evaluation",
            "created_at",
        ]
        read_only_fields = fields

    @extend_schema_field(CollaborationGroupSerializer)
    def get_group(self, project: GroupProject) -> dict[str, Any]:
        if project.cluster_id:
            return {
                "kind": "cluster",
                "id": project.cluster_id,
                "name": project.cluster.name,
                "parent": None,
            }
        return {
            "kind": "sig",
            "id": project.sig_id,
            "name": project.sig.name,
            "parent": project.sig.parent_id,
        }

    @extend_schema_field(ProjectFundingSerializer(allow_null=True))
    def get_funding(self, project: GroupProject) -> dict[str, Any] | None:
        """Only for those who may see the project's money (as on the page); null otherwise."""
        if not policies.can_view_project_funding(self.context["request"].user, project):
            return None
        return ProjectFundingSerializer(
            {
                "allocated": project.funding_allocated,
                "planned": getattr(project, "funding_planned", None) or 0,
                "spent": getattr(project, "funding_spent", None) or 0,
            }
        ).data

    @extend_schema_field(ProjectEvaluationSerializer(allow_null=True))
    def get_evaluation(self, project: GroupProject) -> dict[str, Any] | None:
        evaluation = getattr(project, "evaluation", None)
        return ProjectEvaluationSerializer(evaluation).data if evaluation else None


class ResourceVersionSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    language = serializers.ChoiceField(ResourceLanguage.choices)
    is_link = serializers.BooleanField()
    original_name = serializers.CharField()
    size = serializers.IntegerField()
    download_count = serializers.IntegerField()
    download_url = serializers.SerializerMethodField()

    @extend_schema_field(serializers.CharField())
    def get_download_url(self, version: Any) -> str:
        """The web address that counts the download and serves the file (or the link)."""
        from partnership.tenancy import tenant_reverse

        return tenant_reverse(self.context["request"], "collaboration:download", pk=version.pk)


class ResourceSerializer(serializers.ModelSerializer):
    area = CollaborationAreaSerializer(read_only=True)
    author_school = CollaborationSchoolSerializer(read_only=True, allow_null=True)
    versions = ResourceVersionSerializer(many=True, read_only=True)
    missing_welsh = serializers.BooleanField(read_only=True)
    downloads = serializers.IntegerField(read_only=True)

    class Meta:
        model = Resource
        fields = [
            "id",
            "title",
            "summary",
            "kind",
            "area",
            "phases",
            "author_school",
            "licence",
            "source_project",
            "source_hub",
            "source_programme",
            "status",
            "published_at",
            "versions",
            "missing_welsh",
            "downloads",
        ]
        read_only_fields = fields


# --- Serializers: what the API takes --------------------------------------------------------------


class ProjectWriteSerializer(serializers.Serializer):
    title = serializers.CharField(max_length=200)
    cluster = serializers.PrimaryKeyRelatedField(
        queryset=Cluster.objects, required=False, allow_null=True, default=None
    )
    sig = serializers.PrimaryKeyRelatedField(
        queryset=SchoolImprovementGroup.objects,
        required=False,
        allow_null=True,
        default=None,
        help_text="A SIG or a sub-group of one. Give cluster or sig, not both.",
    )
    area = serializers.PrimaryKeyRelatedField(queryset=Area.objects)
    aims = serializers.CharField(max_length=4000)
    need = serializers.CharField(max_length=4000)
    schools = serializers.PrimaryKeyRelatedField(queryset=School.objects, many=True)
    lead_school = serializers.PrimaryKeyRelatedField(queryset=School.objects)
    starts_on = serializers.DateField()
    ends_on = serializers.DateField()
    funding_allocated = serializers.DecimalField(
        max_digits=10,
        decimal_places=2,
        required=False,
        allow_null=True,
        default=None,
        help_text="For the partnership admin or a senior CA only.",
    )
    outputs = serializers.CharField(max_length=4000, required=False, allow_blank=True, default="")
    status = serializers.ChoiceField(
        [ProjectStatus.PLANNED, ProjectStatus.ACTIVE], default=ProjectStatus.PLANNED
    )

    def validate(self, data: dict[str, Any]) -> dict[str, Any]:
        if bool(data.get("cluster")) == bool(data.get("sig")):
            raise ValidationError({"sig": ["Give the cluster or the SIG running the project."]})
        return data


class BudgetLineWriteSerializer(serializers.Serializer):
    project = serializers.PrimaryKeyRelatedField(queryset=GroupProject.objects)
    category = serializers.ChoiceField(BudgetCategory.choices)
    description = serializers.CharField(max_length=200)
    allocated = serializers.DecimalField(max_digits=10, decimal_places=2)


class BudgetLineUpdateSerializer(serializers.Serializer):
    category = serializers.ChoiceField(BudgetCategory.choices, required=False)
    description = serializers.CharField(max_length=200, required=False)
    allocated = serializers.DecimalField(max_digits=10, decimal_places=2, required=False)


class SpendWriteSerializer(serializers.Serializer):
    amount = serializers.DecimalField(max_digits=10, decimal_places=2)
    note = serializers.CharField(max_length=500, required=False, allow_blank=True, default="")


class ResourceWriteSerializer(serializers.Serializer):
    title = serializers.CharField(max_length=200)
    summary = serializers.CharField(max_length=4000)
    kind = serializers.ChoiceField(ResourceKind.choices)
    area = serializers.PrimaryKeyRelatedField(queryset=Area.objects)
    phases = serializers.MultipleChoiceField(choices=Phase.choices, required=False, default=list)
    author_school = serializers.PrimaryKeyRelatedField(
        queryset=School.objects, required=False, allow_null=True, default=None
    )
    licence = serializers.ChoiceField(Licence.choices)
    source_project = serializers.PrimaryKeyRelatedField(
        queryset=GroupProject.objects, required=False, allow_null=True, default=None
    )
    source_hub = serializers.PrimaryKeyRelatedField(
        queryset=Hub.objects, required=False, allow_null=True, default=None
    )
    source_programme = serializers.PrimaryKeyRelatedField(
        queryset=Programme.objects, required=False, allow_null=True, default=None
    )
    languages = serializers.MultipleChoiceField(
        choices=ResourceLanguage.choices,
        help_text="Each language listed needs its own <language>_file or <language>_url.",
    )
    english_file = serializers.FileField(required=False, allow_null=True, default=None)
    english_url = serializers.URLField(required=False, allow_blank=True, default="")
    welsh_file = serializers.FileField(required=False, allow_null=True, default=None)
    welsh_url = serializers.URLField(required=False, allow_blank=True, default="")
    bilingual_file = serializers.FileField(required=False, allow_null=True, default=None)
    bilingual_url = serializers.URLField(required=False, allow_blank=True, default="")
    publish = serializers.BooleanField(default=True)


class LibraryFilterSerializer(serializers.Serializer):
    """The library list's query parameters (checked: a bad one is a 400)."""

    q = serializers.CharField(required=False, max_length=100)
    area = serializers.IntegerField(required=False, min_value=1)
    language = serializers.ChoiceField(ResourceLanguage.choices, required=False)
    phase = serializers.ChoiceField(Phase.choices, required=False)
    kind = serializers.ChoiceField(ResourceKind.choices, required=False)
    source = serializers.ChoiceField(["project", "hub", "programme"], required=False)
    missing_welsh = serializers.BooleanField(required=False)


class ProjectFilterSerializer(serializers.Serializer):
    q = serializers.CharField(required=False, max_length=100)
    area = serializers.IntegerField(required=False, min_value=1)
    status = serializers.ChoiceField(ProjectStatus.choices, required=False)
    group = serializers.RegexField(r"^(cluster|sig):\d+$", required=False)


class CollaborationViewSet(viewsets.GenericViewSet):
    lookup_value_regex = DIGITS

    @property
    def partnership(self) -> Any:
        return self.request.partnership

    def is_schema(self) -> bool:
        return getattr(self, "swagger_fake_view", False)


# --- Projects ------------------------------------------------------------------------------------


@extend_schema_view(
    list=extend_schema(
        summary="Group projects",
        description="Every project of the partnership's clusters and SIGs, newest first. "
        "`funding` is null unless you may see the project's money.",
        parameters=[
            OpenApiParameter("q", OpenApiTypes.STR),
            OpenApiParameter("area", OpenApiTypes.INT, description="Area id."),
            OpenApiParameter("status", OpenApiTypes.STR, enum=ProjectStatus.values),
            OpenApiParameter(
                "group", OpenApiTypes.STR, description='"cluster:<id>" or "sig:<id>".'
            ),
        ],
        responses={200: ProjectSerializer(many=True), 400: BAD_INPUT, 403: FORBIDDEN},
    ),
    retrieve=extend_schema(summary="One project", responses={200: ProjectSerializer}),
    create=extend_schema(
        summary="Start a project",
        description="For a cluster or SIG (or sub-group). Admins and senior CAs for any "
        "group; a headteacher with their own school as lead. Member schools must belong to "
        "the group.",
        request=ProjectWriteSerializer,
        responses={201: ProjectSerializer, 400: BAD_INPUT, 403: FORBIDDEN},
    ),
)
class ProjectViewSet(
    mixins.ListModelMixin, mixins.RetrieveModelMixin, mixins.CreateModelMixin, CollaborationViewSet
):
    serializer_class = ProjectSerializer

    def get_queryset(self) -> QuerySet[GroupProject]:
        if self.is_schema():
            return GroupProject.objects.none()
        require(policies.can_view_projects(self.request.user, self.partnership))
        filters: dict[str, Any] = {}
        if self.action == "list":
            params = ProjectFilterSerializer(data=self.request.query_params)
            params.is_valid(raise_exception=True)
            filters = dict(params.validated_data)
        return (
            selectors.project_list(filters)
            .select_related("evaluation")
            .prefetch_related(Prefetch("schools", queryset=School.objects.only("pk")))
        )

    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        require(policies.can_create_project(request.user, self.partnership))
        data = ProjectWriteSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        fields = dict(data.validated_data)
        require(policies.can_lead_for(request.user, fields["lead_school"]))
        if fields.get("funding_allocated") is not None:
            require(policies.can_allocate_funding(request.user, self.partnership))
        group = fields.pop("cluster") or fields.pop("sig")
        fields.pop("sig", None)
        if not policies.can_manage_any_group(request.user, self.partnership):
            require(fields["lead_school"].pk in selectors.group_school_ids(group))
        project = run_service(
            services.create_project,
            actor=request.user,
            partnership=self.partnership,
            group=group,
            **fields,
        )
        project = self.get_queryset().get(pk=project.pk)
        return Response(
            ProjectSerializer(project, context=self.get_serializer_context()).data,
            status=status.HTTP_201_CREATED,
        )


# --- Budget lines --------------------------------------------------------------------------------


@extend_schema_view(
    list=extend_schema(
        summary="Budget lines you may see",
        description="Every line for staff roles; for headteachers and governors, the lines "
        "of projects their school is in.",
        parameters=[OpenApiParameter("project", OpenApiTypes.INT, description="Project id.")],
        responses={200: BudgetLineSerializer(many=True), 400: BAD_INPUT},
    ),
    retrieve=extend_schema(summary="One budget line", responses={200: BudgetLineSerializer}),
    create=extend_schema(
        summary="Add a budget line",
        description="The project's lines together cannot allocate more than its enabling "
        "funding. For the lead school's headteacher, admins and senior CAs.",
        request=BudgetLineWriteSerializer,
        responses={201: BudgetLineSerializer, 400: BAD_INPUT, 403: FORBIDDEN},
    ),
    partial_update=extend_schema(
        summary="Change a budget line",
        request=BudgetLineUpdateSerializer,
        responses={200: BudgetLineSerializer, 400: BAD_INPUT, 403: FORBIDDEN},
    ),
)
class BudgetLineViewSet(
    mixins.ListModelMixin, mixins.RetrieveModelMixin, mixins.CreateModelMixin, CollaborationViewSet
):
    serializer_class = BudgetLineSerializer
    http_method_names = ["get", "post", "patch", "head", "options"]

    def get_queryset(self) -> QuerySet[ProjectBudgetLine]:
        if self.is_schema():
            return ProjectBudgetLine.objects.none()
        user = self.request.user
        lines = ProjectBudgetLine.objects.select_related("project").order_by("project_id", "pk")
        if not is_staff_role(user, self.partnership):
            mine = school_ids_with_role(user, self.partnership, Role.HEADTEACHER, Role.GOVERNOR)
            lines = lines.filter(
                Q(project__schools__in=mine) | Q(project__lead_school__in=mine)
            ).distinct()
        if self.action == "list":
            project = serializers.IntegerField(min_value=1, required=False)
            raw = self.request.query_params.get("project")
            if raw is not None:
                try:
                    lines = lines.filter(project_id=project.run_validation(raw))
                except ValidationError as error:
                    raise ValidationError({"project": error.detail}) from None
        return lines

    def get_object(self) -> ProjectBudgetLine:
        line = (
            ProjectBudgetLine.objects.select_related("project").filter(pk=self.kwargs["pk"]).first()
        )
        if line is None:
            from django.http import Http404

            raise Http404
        require(policies.can_view_project_funding(self.request.user, line.project))
        return line

    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        require(policies.can_run_some_project(request.user, self.partnership))
        data = BudgetLineWriteSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        fields = dict(data.validated_data)
        project = fields.pop("project")
        require(policies.can_run_project(request.user, project))
        line = run_service(services.save_budget_line, actor=request.user, project=project, **fields)
        return Response(BudgetLineSerializer(line).data, status=status.HTTP_201_CREATED)

    def partial_update(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        line = self.get_object()
        require(policies.can_run_project(request.user, line.project))
        data = BudgetLineUpdateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        fields = {
            "category": line.category,
            "description": line.description,
            "allocated": line.allocated,
            **data.validated_data,
        }
        line = run_service(
            services.save_budget_line, actor=request.user, project=line.project, line=line, **fields
        )
        return Response(BudgetLineSerializer(line).data)

    @extend_schema(
        summary="Record spending on a budget line",
        description="Adds to the line's spending. Spending above the line's allocation is "
        "refused (400) and nothing is written.",
        request=SpendWriteSerializer,
        responses={200: BudgetLineSerializer, 400: BAD_INPUT, 403: FORBIDDEN},
    )
    @action(detail=True, methods=["post"])
    def spend(self, request: Request, pk: str | None = None, **kwargs: Any) -> Response:
        line = self.get_object()
        require(policies.can_run_project(request.user, line.project))
        data = SpendWriteSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        line = run_service(
            services.record_spend, actor=request.user, line=line, **data.validated_data
        )
        return Response(BudgetLineSerializer(line).data)


# --- Resources -----------------------------------------------------------------------------------


@extend_schema_view(
    list=extend_schema(
        summary="The resource library",
        description="Published resources (and your own drafts), newest first, with their "
        "language versions, download counts and the missing-Welsh flag.",
        parameters=[
            OpenApiParameter("q", OpenApiTypes.STR, description="Words in the title or summary."),
            OpenApiParameter("area", OpenApiTypes.INT, description="Area id."),
            OpenApiParameter("language", OpenApiTypes.STR, enum=ResourceLanguage.values),
            OpenApiParameter("phase", OpenApiTypes.STR, enum=Phase.values),
            OpenApiParameter("kind", OpenApiTypes.STR, enum=ResourceKind.values),
            OpenApiParameter("source", OpenApiTypes.STR, enum=["project", "hub", "programme"]),
            OpenApiParameter("missing_welsh", OpenApiTypes.BOOL),
        ],
        responses={200: ResourceSerializer(many=True), 400: BAD_INPUT},
    ),
    retrieve=extend_schema(summary="One resource", responses={200: ResourceSerializer}),
    create=extend_schema(
        summary="Add a resource",
        description="multipart/form-data. Each language in `languages` needs its own "
        "`<language>_file` or `<language>_url`; a resource marked Welsh with no Welsh file "
        "or link is refused, as is a file of the wrong type or size.",
        request={"multipart/form-data": ResourceWriteSerializer},
        responses={201: ResourceSerializer, 400: BAD_INPUT, 403: FORBIDDEN},
    ),
)
class ResourceViewSet(
    mixins.ListModelMixin, mixins.RetrieveModelMixin, mixins.CreateModelMixin, CollaborationViewSet
):
    serializer_class = ResourceSerializer
    parser_classes = [MultiPartParser, FormParser, JSONParser]

    def get_queryset(self) -> QuerySet[Resource]:
        if self.is_schema():
            return Resource.objects.none()
        require(policies.can_view_library(self.request.user, self.partnership))
        if self.action == "list":
            params = LibraryFilterSerializer(data=self.request.query_params)
            params.is_valid(raise_exception=True)
            return selectors.library_search(dict(params.validated_data), user=self.request.user)
        return selectors.library()

    def get_object(self) -> Resource:
        resource = super().get_object()
        require(policies.can_view_resource(self.request.user, resource))
        return resource

    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        require(policies.can_add_resource(request.user, self.partnership))
        data = ResourceWriteSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        fields = dict(data.validated_data)
        if fields.get("author_school") is not None:
            require(policies.can_author_for(request.user, fields["author_school"]))
        versions = {
            lang: services.VersionInput(
                upload=fields.pop(f"{lang}_file"), url=fields.pop(f"{lang}_url") or ""
            )
            for lang in ResourceLanguage.values
        }
        resource = run_service(
            services.publish_resource,
            actor=request.user,
            partnership=self.partnership,
            versions=versions,
            languages=sorted(fields.pop("languages")),
            phases=sorted(fields.pop("phases") or []),
            **fields,
        )
        resource = selectors.library().get(pk=resource.pk)
        return Response(
            ResourceSerializer(resource, context=self.get_serializer_context()).data,
            status=status.HTTP_201_CREATED,
        )
