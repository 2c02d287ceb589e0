from rest_framework.routers import DefaultRouter

from .api import ClusterViewSet, SchoolImprovementGroupViewSet, SchoolViewSet

router = DefaultRouter()
router.include_root_view = False
router.register("schools", SchoolViewSet, basename="api-school")
router.register("clusters", ClusterViewSet, basename="api-cluster")
router.register("sigs", SchoolImprovementGroupViewSet, basename="api-sig")

urlpatterns = router.urls
