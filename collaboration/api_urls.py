"""API routes under /api/p/<slug>/collaboration/: projects, budget lines, resources."""

from rest_framework.routers import DefaultRouter

from .api import BudgetLineViewSet, ProjectViewSet, ResourceViewSet

router = DefaultRouter()
router.include_root_view = False
router.register("collaboration/projects", ProjectViewSet, basename="api-collaboration-project")
router.register(
    "collaboration/budget-lines", BudgetLineViewSet, basename="api-collaboration-budget-line"
)
router.register("collaboration/resources", ResourceViewSet, basename="api-collaboration-resource")

urlpatterns = router.urls
