from rest_framework.routers import DefaultRouter

from .api import ImpactResultViewSet, NeedsRoundViewSet

router = DefaultRouter()
router.include_root_view = False
router.register("surveys/rounds", NeedsRoundViewSet, basename="api-surveys-round")
router.register("surveys/impact", ImpactResultViewSet, basename="api-surveys-impact")

urlpatterns = router.urls
