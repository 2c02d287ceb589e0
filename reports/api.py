"""Reports API (tenant-scoped, under /api/p/<slug>/reports/runs/): the versions of the
reports you may read, and asking for a new one. The same rules as the pages: reads through
selectors.py, permissions from policies.py (404 for a run you may not read, as on the
web), writes through services.py. The PDF itself is downloaded from the web page's link
(`download_path`), which checks the reader again on every request."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from django.http import Http404
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.exceptions import ValidationError
from rest_framework.request import Request
from rest_framework.response import Response

from partnership.api import BAD_INPUT, FORBIDDEN, require, run_service
from partnership.models import Role, Term
from partnership.policies import has_role
from partnership.tenancy import URL_KWARG
from schools.models import School

from . import policies, selectors, services
from .models import ReportRun

#: The roles that may read some report (policies.can_view_school_report and the board's).
REPORT_ROLES = (
    Role.PARTNERSHIP_ADMIN,
    Role.SENIOR_CA,
    Role.CHALLENGE_ADVISER,
    Role.HEADTEACHER,
    Role.GOVERNOR,
)


class ReportRunSerializer(serializers.ModelSerializer):
    term = serializers.StringRelatedField()
    term_id = serializers.IntegerField(read_only=True)
    school_id = serializers.IntegerField(read_only=True, allow_null=True)
    school = serializers.SerializerMethodField()
    download_path = serializers.SerializerMethodField()

    class Meta:
        model = ReportRun
        fields = [
            "id",
            "kind",
            "term_id",
            "term",
            "school_id",
            "school",
            "version",
            "language",
            "status",
            "progress",
            "error",
            "file_size",
            "created_at",
            "finished_at",
            "download_path",
        ]
        read_only_fields = fields

    def get_school(self, run: ReportRun) -> str | None:
        return run.school.name if run.school_id else None

    def get_download_path(self, run: ReportRun) -> str | None:
        """The web download (signed-in session; checked on every request), once done."""
        if not run.is_done:
            return None
        from django.urls import reverse

        slug = self.context["request"].partnership.slug
        return reverse("reports:download", kwargs={URL_KWARG: slug, "token": str(run.token)})


class ReportRequestSerializer(serializers.Serializer):
    term = serializers.IntegerField(min_value=1, max_value=2**31 - 1, help_text="The term's id.")
    school = serializers.IntegerField(
        min_value=1,
        max_value=2**31 - 1,
        required=False,
        allow_null=True,
        help_text="A school's id; leave out for the board report.",
    )


@extend_schema_view(
    list=extend_schema(
        summary="Report versions you may read",
        description="Every version for admins; your schools' reports otherwise; newest first.",
    ),
    retrieve=extend_schema(summary="One report version (its state and progress)"),
    create=extend_schema(
        summary="Ask for a new version of a report",
        description="Queues a new version of a school's report (or, without `school`, the "
        "board report) for a term. While one is queued or running, returns that one.",
        request=ReportRequestSerializer,
        responses={202: ReportRunSerializer, 400: BAD_INPUT, 403: FORBIDDEN},
    ),
)
class ReportRunViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    viewsets.GenericViewSet,
):
    serializer_class = ReportRunSerializer

    def get_queryset(self) -> QuerySet[ReportRun]:
        if getattr(self, "swagger_fake_view", False):
            return ReportRun.objects.none()
        return selectors.runs_visible_to(self.request.user, self.request.partnership)

    def get_object(self) -> ReportRun:
        run = super().get_object()
        if not policies.can_view_run(self.request.user, run):
            raise Http404
        return run

    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        # Who may ask depends on the school asked for; a role that reads no report is
        # refused before the body is read.
        require(has_role(request.user, request.partnership, *REPORT_ROLES))
        data = ReportRequestSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        term = Term.objects.filter(pk=data.validated_data["term"]).first()
        if term is None:
            raise ValidationError({"term": ["No such term."]})
        school = None
        if data.validated_data.get("school"):
            school = School.objects.filter(pk=data.validated_data["school"]).first()
            if school is None:
                raise ValidationError({"school": ["No such school."]})
            allowed = policies.can_generate_school_report(request.user, school)
        else:
            allowed = policies.can_generate_board_report(request.user, request.partnership)
        require(allowed)
        run = run_service(
            services.request_report,
            actor=request.user,
            partnership=request.partnership,
            term=term,
            school=school,
            request=request._request,
        )
        run.refresh_from_db()
        serializer = self.get_serializer(run)
        return Response(serializer.data, status=status.HTTP_202_ACCEPTED)
