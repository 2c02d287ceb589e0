"""THE tenant-scoping mechanism. Everything about "which partnership" is decided here.

- Every tenant-owned model inherits `TenantModel`: it carries `partnership` and its default
  manager is a django-scopes `ScopedManager`, so a query made outside a partnership scope
  raises `ScopeError` instead of returning another partnership's rows.
- `TenancyMiddleware` reads the partnership from the URL (`/p/<slug>/...` and
  `/api/p/<slug>/...`), checks the user's membership (a non-member gets 404) and runs the
  view inside `scope(partnership=...)`. Every other URL runs in an empty scope, so
  tenant-owned rows cannot be reached from it by accident.
- `IsPartnershipMember` does the membership check for the API after DRF authentication.
- `tenant_scope()` opens the scope for Celery tasks and management commands.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any

from django.db import models
from django.http import Http404, HttpRequest, HttpResponse
from django.urls import Resolver404, resolve, reverse
from django_scopes import ScopedManager, scope, scopes_disabled
from rest_framework.permissions import BasePermission

if TYPE_CHECKING:
    from .models import Membership, Partnership

URL_KWARG = "partnership_slug"


def TenantScopedManager(manager_class: type[models.Manager] = models.Manager) -> models.Manager:  # noqa: N802
    """The scoped default manager every tenant-owned model uses."""
    return ScopedManager(_manager_class=manager_class, partnership="partnership")


class TenantModel(models.Model):
    """Abstract base of every tenant-owned row."""

    partnership = models.ForeignKey(
        "partnership.Partnership", on_delete=models.CASCADE, related_name="+", editable=False
    )

    objects = TenantScopedManager()

    class Meta:
        abstract = True


@contextmanager
def tenant_scope(partnership: Partnership | int) -> Iterator[None]:
    """Run a block (a task, a command) inside one partnership's scope."""
    partnership_id = partnership if isinstance(partnership, int) else partnership.pk
    with scope(partnership=partnership_id):
        yield


def tenant_task(func: Callable[..., Any]) -> Callable[..., Any]:
    """Decorate a Celery task body whose first argument is a partnership id."""

    @functools.wraps(func)
    def wrapper(partnership_id: int, *args: Any, **kwargs: Any) -> Any:
        with tenant_scope(partnership_id):
            return func(partnership_id, *args, **kwargs)

    return wrapper


def memberships_of(user: Any, partnership: Partnership | int | None) -> list[Membership]:
    """The user's memberships in a partnership, cached on the user object for the request."""
    from .models import Membership

    if partnership is None or not getattr(user, "is_authenticated", False):
        return []
    partnership_id = partnership if isinstance(partnership, int) else partnership.pk
    cache: dict[int, list[Membership]] = user.__dict__.setdefault("_portal_memberships", {})
    if partnership_id not in cache:
        with scope(partnership=partnership_id):
            cache[partnership_id] = list(
                Membership.objects.filter(user=user).select_related("school")
            )
    return cache[partnership_id]


def forget_memberships(user: Any) -> None:
    """Drop the per-request cache after a membership of this user changed."""
    user.__dict__.pop("_portal_memberships", None)


def roles_of(user: Any, partnership: Partnership | int | None) -> set[str]:
    return {m.role for m in memberships_of(user, partnership)}


def _partnership_for_slug(slug: str) -> Partnership:
    from .models import Partnership

    try:
        return Partnership.objects.get(slug=slug, is_active=True)
    except Partnership.DoesNotExist:
        raise Http404("No such partnership.") from None


class TenancyMiddleware:
    """Resolve the tenant from the URL and run the request inside its scope."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        request.partnership = None
        request.memberships = []
        try:
            match = resolve(request.path_info)
        except Resolver404:
            match = None
        if match is not None and match.app_name == "admin":
            # The platform admin is for superusers creating partnerships; it sees all tenants.
            with scopes_disabled():
                return self.get_response(request)
        slug = match.kwargs.get(URL_KWARG) if match else None
        if slug is None:
            with _no_tenant():
                return self.get_response(request)

        partnership = _partnership_for_slug(slug)
        if not request.path_info.startswith("/api/"):
            # The API authenticates inside DRF (tokens); IsPartnershipMember checks it there.
            if not request.user.is_authenticated:
                from django.contrib.auth.views import redirect_to_login

                return redirect_to_login(request.get_full_path(), reverse("account_login"))
            request.memberships = memberships_of(request.user, partnership)
            if not request.memberships:
                raise Http404("Not a member of this partnership.")
        request.partnership = partnership
        with scope(partnership=partnership.pk):
            return self.get_response(request)

    def process_view(self, request: HttpRequest, view_func, view_args, view_kwargs) -> None:
        # Views read the tenant from request.partnership, never from the URL.
        view_kwargs.pop(URL_KWARG, None)


@contextmanager
def _no_tenant() -> Iterator[None]:
    # `scope(partnership=None)` would mean "no filter"; outside a tenant URL we want the
    # opposite: tenant rows unreachable. Drop the dimension so scoped managers raise.
    from django_scopes.state import state

    current = dict(state.get() or {})
    current.pop("partnership", None)
    current["_enabled"] = True
    token = state.set(current)
    try:
        yield
    finally:
        state.reset(token)


class IsPartnershipMember(BasePermission):
    """API permission: the authenticated user is a member of the URL's partnership.

    A non-member gets 404, exactly like the web pages, so the API never confirms that
    another partnership's objects exist.
    """

    def has_permission(self, request: Any, view: Any) -> bool:
        partnership = getattr(request, "partnership", None)
        if partnership is None:
            return True  # not a tenant endpoint (schema, token)
        if not request.user or not request.user.is_authenticated:
            return False
        if not memberships_of(request.user, partnership):
            raise Http404
        request._request.memberships = memberships_of(request.user, partnership)
        return True


def tenant_reverse(request: HttpRequest, viewname: str, **kwargs: Any) -> str:
    """reverse() for a tenant URL, filling in the current partnership's slug."""
    return reverse(viewname, kwargs={URL_KWARG: request.partnership.slug, **kwargs})
