"""URL map. Everything under /p/<partnership_slug>/ and /api/p/<partnership_slug>/ belongs
to one partnership; TenancyMiddleware resolves it and scopes every query to it."""

from allauth.account.decorators import secure_admin_login
from django.contrib import admin
from django.urls import include, path
from drf_spectacular.views import (
    SpectacularAPIView,
    SpectacularRedocView,
    SpectacularSwaggerSplitView,
)

from . import views

tenant_patterns = [
    path("", views.home, name="home"),
    path("people/", views.people, name="people"),
    path("people/invite/", views.invite, name="invite"),
    path("people/<int:pk>/edit/", views.membership_edit, name="membership_edit"),
    path("people/<int:pk>/remove/", views.membership_remove, name="membership_remove"),
    path("invitations/<int:pk>/revoke/", views.invitation_revoke, name="invitation_revoke"),
    path("privacy/", views.privacy, name="privacy"),
    path("privacy/my-data/", views.my_data, name="my_data"),
    path("people/person/<int:user_pk>/data/", views.person_data, name="person_data"),
    path("people/person/<int:user_pk>/erase/", views.person_erase, name="person_erase"),
    path("", include("schools.urls")),
    path("", include("hubs.urls")),
    path("", include("brokerage.urls")),
    path("", include("peerreview.urls")),
    path("", include("panels.urls")),
    path("", include("surveys.urls")),
    path("", include("reports.urls")),
    path("", include("casework.urls")),
    path("", include("collaboration.urls")),
    path("", include("audit.urls")),
]

api_tenant_patterns = [
    path("", include("schools.api_urls")),
    path("", include("brokerage.api_urls")),
    path("", include("hubs.api_urls")),
    path("", include("peerreview.api_urls")),
    path("", include("panels.api_urls")),
    path("", include("surveys.api_urls")),
    path("", include("reports.api_urls")),
    path("", include("casework.api_urls")),
    path("", include("collaboration.api_urls")),
    path("", include("audit.api_urls")),
]

# Rate-limited sign-in and password reset (allauth) answer with this page.
handler429 = "partnership.views.too_many_requests"
# The platform admin signs in through allauth too, so two-factor login applies there.
admin.site.login = secure_admin_login(admin.site.login)

urlpatterns = [
    path("", views.root, name="root"),
    path("healthz", views.healthz, name="healthz"),
    path("language/", views.set_language, name="set_language"),
    path("accounts/", include("allauth.urls")),
    path("account/api-token/", views.api_token, name="api_token"),
    path("invitations/<str:token>/", views.invitation_accept, name="invitation_accept"),
    path("s/", include("surveys.public_urls")),
    path("p/<slug:partnership_slug>/", include(tenant_patterns)),
    path("api/p/<slug:partnership_slug>/", include(api_tenant_patterns)),
    path("api/schema/", SpectacularAPIView.as_view(), name="schema"),
    path("api/docs/", SpectacularSwaggerSplitView.as_view(url_name="schema"), name="api_docs"),
    path("api/redoc/", SpectacularRedocView.as_view(url_name="schema"), name="api_redoc"),
    path("admin/", admin.site.urls),
]
