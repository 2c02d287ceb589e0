from rest_framework.routers import DefaultRouter

from .api import CycleViewSet, FindingsViewSet, GroupViewSet, VisitViewSet

router = DefaultRouter()
router.include_root_view = False
router.register("peer-review/cycles", CycleViewSet, basename="api-pr-cycle")
router.register("peer-review/groups", GroupViewSet, basename="api-pr-group")
router.register("peer-review/visits", VisitViewSet, basename="api-pr-visit")
router.register("peer-review/findings", FindingsViewSet, basename="api-pr-findings")

urlpatterns = router.urls
