"""API routes under /api/p/<slug>/panels/: panels, members, meetings, actions, evaluations,
consultations."""

from rest_framework.routers import DefaultRouter

from .api import (
    ActionViewSet,
    ConsultationViewSet,
    EvaluationViewSet,
    MeetingViewSet,
    PanelMemberViewSet,
    PanelViewSet,
)

router = DefaultRouter()
router.include_root_view = False
# Ids are digits only, so /panels/meetings/ is never read as the panel "meetings".
router.register("panels/members", PanelMemberViewSet, basename="api-panel-member")
router.register("panels/meetings", MeetingViewSet, basename="api-panel-meeting")
router.register("panels/actions", ActionViewSet, basename="api-panel-action")
router.register("panels/consultations", ConsultationViewSet, basename="api-consultation")
router.register("panels/evaluations", EvaluationViewSet, basename="api-panel-evaluation")
router.register("panels", PanelViewSet, basename="api-panel")

urlpatterns = router.urls
