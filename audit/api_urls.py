from rest_framework.routers import DefaultRouter

from .api import AuditEventViewSet

router = DefaultRouter()
router.include_root_view = False
router.register("audit/events", AuditEventViewSet, basename="api-audit-event")

urlpatterns = router.urls
