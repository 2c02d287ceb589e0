"""API routes under /api/p/<slug>/hubs/: hubs, programmes, sessions, enrolments, calls, bids."""

from rest_framework.routers import DefaultRouter

from .api import (
    BidViewSet,
    CallViewSet,
    EnrolmentViewSet,
    HubViewSet,
    ProgrammeViewSet,
    SessionViewSet,
)

router = DefaultRouter()
router.include_root_view = False
# Ids are digits only, so /hubs/programmes/ is never read as the hub "programmes".
router.register("hubs/programmes", ProgrammeViewSet, basename="api-programme")
router.register("hubs/sessions", SessionViewSet, basename="api-session")
router.register("hubs/enrolments", EnrolmentViewSet, basename="api-enrolment")
router.register("hubs/calls", CallViewSet, basename="api-call")
router.register("hubs/bids", BidViewSet, basename="api-bid")
router.register("hubs", HubViewSet, basename="api-hub")

urlpatterns = router.urls
