from collections.abc import Callable

from django.conf import settings
from django.contrib import messages
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect
from django.urls import Resolver404, resolve, reverse
from django.utils import translation
from django.utils.http import urlencode
from django.utils.translation import gettext as _


class UserLanguageMiddleware:
    """A signed-in person keeps the language they chose, on every device."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated and user.language:
            translation.activate(user.language)
            request.LANGUAGE_CODE = user.language
        return self.get_response(request)


#: URL names a person who still has to set up two-factor authentication may use.
TWO_FACTOR_EXEMPT_URLS = frozenset(
    {
        "account_logout",
        "account_login",
        "account_reauthenticate",
        "account_change_password",
        "set_language",
        "healthz",
        "privacy",
    }
)
MFA_SESSION_KEY = "portal_mfa_ok"


def two_factor_required(user) -> bool:
    """Does this person hold a role (in any partnership) that needs two-factor login?"""
    from django_scopes import scopes_disabled

    from .models import Membership

    roles = getattr(settings, "MFA_REQUIRED_ROLES", ["admin", "senior_ca", "ca"])
    with scopes_disabled():
        return Membership.objects.filter(user=user, role__in=roles).exists()


def has_authenticator(user) -> bool:
    from allauth.mfa.models import Authenticator

    return Authenticator.objects.filter(user=user, type=Authenticator.Type.TOTP).exists()


class RequireTwoFactorMiddleware:
    """Admins and challenge advisers must set up an authenticator app before anything else.

    A signed-in person holding one of MFA_REQUIRED_ROLES without a TOTP authenticator is
    sent to the set-up page (the API answers 403); only sign-out, the two-factor pages,
    static files and the privacy page stay open. allauth then asks for a code at every
    sign-in. Off when MFA_ENFORCED is false (the demo and the test suite).
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if self._must_set_up(request):
            if request.path_info.startswith("/api/"):
                return JsonResponse(
                    {"detail": _("Set up two-factor authentication before using the API.")},
                    status=403,
                )
            messages.info(
                request,
                _(
                    "Your role needs two-factor authentication. Set up an authenticator "
                    "app to continue."
                ),
            )
            target = reverse("mfa_activate_totp")
            if request.method == "GET":
                target += "?" + urlencode({"next": request.get_full_path()})
            return redirect(target)
        return self.get_response(request)

    def _must_set_up(self, request: HttpRequest) -> bool:
        if not getattr(settings, "MFA_ENFORCED", False):
            return False
        user = getattr(request, "user", None)
        if user is None or not user.is_authenticated:
            return False
        if request.path_info.startswith((settings.STATIC_URL, "/" + settings.STATIC_URL)):
            return False
        try:
            name = resolve(request.path_info).url_name or ""
        except Resolver404:
            return False
        if name in TWO_FACTOR_EXEMPT_URLS or name.startswith("mfa_"):
            return False
        # Remember a passed check for this session (those who must keep an authenticator
        # cannot remove it: see partnership.adapters.PortalMFAAdapter).
        if request.session.get(MFA_SESSION_KEY) == user.pk:
            return False
        if not two_factor_required(user):
            return False
        if has_authenticator(user):
            request.session[MFA_SESSION_KEY] = user.pk
            return False
        return True
