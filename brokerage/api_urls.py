from rest_framework.routers import DefaultRouter

from .api import AgreementViewSet, NeedViewSet, OfferViewSet

router = DefaultRouter()
router.include_root_view = False
router.register("brokerage/needs", NeedViewSet, basename="api-brokerage-need")
router.register("brokerage/offers", OfferViewSet, basename="api-brokerage-offer")
router.register("brokerage/agreements", AgreementViewSet, basename="api-brokerage-agreement")

urlpatterns = router.urls
