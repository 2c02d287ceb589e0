from rest_framework.routers import DefaultRouter

from .api import ActionViewSet, CategorisationViewSet, VisitViewSet

router = DefaultRouter()
router.include_root_view = False
router.register("casework/visits", VisitViewSet, basename="api-casework-visit")
router.register("casework/actions", ActionViewSet, basename="api-casework-action")
router.register(
    "casework/categorisations", CategorisationViewSet, basename="api-casework-categorisation"
)

urlpatterns = router.urls
