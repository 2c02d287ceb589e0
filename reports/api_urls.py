from rest_framework.routers import DefaultRouter

from .api import ReportRunViewSet

router = DefaultRouter()
router.include_root_view = False
router.register("reports/runs", ReportRunViewSet, basename="api-report-run")

urlpatterns = router.urls
