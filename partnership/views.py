"""Portal shell: home and switcher, people and invitations, language, API token."""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import check_for_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST
from rest_framework.authtoken.models import Token

from hubs import selectors as hub_selectors
from schools import selectors as school_selectors
from schools.policies import can_see_all_categories

from . import dataprotection, policies, selectors, services
from .forms import AcceptInvitationForm, InviteForm, MembershipForm
from .models import Invitation, Membership, Role
from .tenancy import tenant_reverse


@require_GET
def healthz(request: HttpRequest) -> JsonResponse:
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
    return JsonResponse({"status": "ok"})


@login_required
def root(request: HttpRequest) -> HttpResponse:
    """Send a person to their partnership, or let them choose one."""
    partnerships = selectors.partnerships_for(request.user)
    if len(partnerships) == 1:
        return redirect("home", partnership_slug=partnerships[0].slug)
    return render(request, "partnership/switcher.html", {"partnerships": partnerships})


def home(request: HttpRequest) -> HttpResponse:
    """The tenant home page: one section for each role the person holds."""
    user, partnership = request.user, request.partnership
    roles = {m.role for m in request.memberships}
    context: dict = {"roles": roles}
    if Role.PARTNERSHIP_ADMIN in roles:
        context["overview"] = school_selectors.partnership_overview(partnership)
    if roles & {Role.CHALLENGE_ADVISER, Role.SENIOR_CA}:
        context["caseload"] = list(
            school_selectors.caseload_for(user, all_schools=Role.SENIOR_CA in roles)[:200]
        )
        context["caseload_all"] = Role.SENIOR_CA in roles
    own = [m for m in request.memberships if m.role in (Role.HEADTEACHER, Role.GOVERNOR)]
    schools = school_selectors.schools_by_id({m.school_id for m in own})
    context["own_schools"] = [(m.role, schools[m.school_id]) for m in own]
    context["show_categories"] = can_see_all_categories(user, partnership)
    if Role.HUB_LEAD in roles:
        context["led_hubs"] = hub_selectors.hubs_led_by(user, partnership)
    context["other_roles"] = [
        Role(r).label
        for r in roles
        - {
            Role.PARTNERSHIP_ADMIN,
            Role.CHALLENGE_ADVISER,
            Role.SENIOR_CA,
            Role.HEADTEACHER,
            Role.GOVERNOR,
            Role.HUB_LEAD,
        }
    ]
    return render(request, "partnership/home.html", context)


@require_POST
def set_language(request: HttpRequest) -> HttpResponse:
    """Switch between English and Welsh; a signed-in person keeps the choice."""
    language = request.POST.get("language", "")
    next_url = request.POST.get("next") or "/"
    if not url_has_allowed_host_and_scheme(next_url, {request.get_host()}, request.is_secure()):
        next_url = "/"
    response = redirect(next_url)
    if check_for_language(language) and language in ("en", "cy"):
        if request.user.is_authenticated:
            request.user.language = language
            request.user.save(update_fields=["language"])
        response.set_cookie(
            settings.LANGUAGE_COOKIE_NAME,
            language,
            max_age=365 * 24 * 3600,
            secure=settings.LANGUAGE_COOKIE_SECURE,
            samesite="Lax",
        )
    return response


@login_required
def api_token(request: HttpRequest) -> HttpResponse:
    """Show or (re)create the person's API token."""
    token = Token.objects.filter(user=request.user).first()
    new_key = None
    if request.method == "POST":
        if token:
            token.delete()
        token = Token.objects.create(user=request.user)
        new_key = token.key
        messages.success(request, _("A new API token was created. Copy it now."))
    return render(
        request, "partnership/api_token.html", {"has_token": token is not None, "new_key": new_key}
    )


# --- People ------------------------------------------------------------------------


def _require_admin(request: HttpRequest) -> None:
    if not policies.is_partnership_admin(request.user, request.partnership):
        raise PermissionDenied


def people(request: HttpRequest) -> HttpResponse:
    _require_admin(request)
    role = request.GET.get("role", "")
    role = role if role in Role.values else ""
    return render(
        request,
        "partnership/people.html",
        {
            "memberships": selectors.memberships_list(role),
            "invitations": selectors.pending_invitations(),
            "role_filter": role,
            "roles": Role.choices,
        },
    )


def invite(request: HttpRequest) -> HttpResponse:
    _require_admin(request)
    form = InviteForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            invitation = services.invite_person(
                actor=request.user, partnership=request.partnership, **form.cleaned_data
            )
        except ValidationError as error:
            form.add_service_errors(error)
        else:
            messages.success(
                request, _("An invitation was sent to %(email)s.") % {"email": invitation.email}
            )
            return redirect(tenant_reverse(request, "people"))
    return render(
        request,
        "partnership/invite.html",
        {"form": form, "days": settings.INVITATION_MAX_AGE_DAYS},
    )


def membership_edit(request: HttpRequest, pk: int) -> HttpResponse:
    _require_admin(request)
    membership = get_object_or_404(Membership.objects.select_related("user", "school"), pk=pk)
    form = MembershipForm(request.POST or None, instance_membership=membership)
    if request.method == "POST" and form.is_valid():
        try:
            services.change_membership(
                actor=request.user, membership=membership, request=request, **form.cleaned_data
            )
        except ValidationError as error:
            form.add_service_errors(error)
        else:
            messages.success(request, _("The role was changed."))
            return redirect(tenant_reverse(request, "people"))
    return render(
        request, "partnership/membership_edit.html", {"form": form, "membership": membership}
    )


def membership_remove(request: HttpRequest, pk: int) -> HttpResponse:
    _require_admin(request)
    membership = get_object_or_404(Membership.objects.select_related("user", "school"), pk=pk)
    error = None
    if request.method == "POST":
        try:
            services.remove_membership(actor=request.user, membership=membership, request=request)
        except ValidationError as exc:
            error = exc.messages[0]
        else:
            messages.success(request, _("The role was removed."))
            return redirect(tenant_reverse(request, "people"))
    return render(
        request, "partnership/membership_remove.html", {"membership": membership, "error": error}
    )


@require_POST
def invitation_revoke(request: HttpRequest, pk: int) -> HttpResponse:
    _require_admin(request)
    invitation = get_object_or_404(Invitation, pk=pk)
    services.revoke_invitation(actor=request.user, invitation=invitation)
    messages.success(request, _("The invitation was withdrawn."))
    return redirect(tenant_reverse(request, "people"))


# --- Accepting an invitation (no tenant in the URL: the token names it) -------------


def invitation_accept(request: HttpRequest, token: str) -> HttpResponse:
    try:
        invitation = services.invitation_from_token(token)
    except services.InvitationInvalid as invalid:
        return render(
            request, "partnership/invitation_invalid.html", {"reason": invalid.reason}, status=410
        )
    existing_account = services.User.objects.filter(email__iexact=invitation.email).exists()
    if existing_account:
        if not request.user.is_authenticated:
            return render(
                request,
                "partnership/invitation_sign_in.html",
                {"invitation": invitation, "token": token},
            )
        if request.method == "POST":
            try:
                services.accept_invitation(invitation=invitation, user=request.user)
            except services.InvitationInvalid as invalid:
                return render(
                    request,
                    "partnership/invitation_invalid.html",
                    {"reason": invalid.reason},
                    status=410,
                )
            return redirect("home", partnership_slug=invitation.partnership.slug)
        return render(request, "partnership/invitation_confirm.html", {"invitation": invitation})

    form = AcceptInvitationForm(request.POST or None, invitation=invitation)
    if request.method == "POST" and form.is_valid():
        try:
            user = services.accept_invitation(
                invitation=invitation,
                full_name=form.cleaned_data["full_name"],
                password=form.cleaned_data["password1"],
            )
        except services.InvitationInvalid as invalid:
            return render(
                request,
                "partnership/invitation_invalid.html",
                {"reason": invalid.reason},
                status=410,
            )
        login(request, user, backend="django.contrib.auth.backends.ModelBackend")
        messages.success(request, _("Welcome. Your account is ready."))
        return redirect("home", partnership_slug=invitation.partnership.slug)
    return render(
        request, "partnership/invitation_accept.html", {"invitation": invitation, "form": form}
    )


# --- Data protection: privacy page, a person's data, erasure ---------------------------


def too_many_requests(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    """Rate-limited sign-in or password reset: a generic answer that reveals nothing."""
    return render(request, "partnership/429.html", status=429)


def privacy(request: HttpRequest) -> HttpResponse:
    """What the portal holds, why, for how long, and how to get a copy or have it erased."""
    return render(
        request,
        "partnership/privacy.html",
        {
            "audit_days": getattr(settings, "AUDIT_RETENTION_DAYS", 6 * 365),
            "survey_days": getattr(settings, "SURVEY_ANSWER_RETENTION_DAYS", 3 * 365),
            "session_hours": settings.SESSION_COOKIE_AGE // 3600,
            "is_admin": policies.is_partnership_admin(request.user, request.partnership),
        },
    )


def _json_download(content: bytes, filename: str) -> HttpResponse:
    response = HttpResponse(content, content_type="application/json")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


@require_GET
def my_data(request: HttpRequest) -> HttpResponse:
    """Download everything this partnership holds about me, as JSON."""
    content = dataprotection.export_personal_data(
        actor=request.user, user=request.user, partnership=request.partnership, request=request
    )
    return _json_download(content, f"{request.partnership.slug}-my-data.json")


def _member_or_404(user_pk: int):
    membership = Membership.objects.select_related("user").filter(user_id=user_pk).first()
    if membership is None:
        raise Http404
    return membership.user


@require_GET
def person_data(request: HttpRequest, user_pk: int) -> HttpResponse:
    """An admin downloads a member's data (a subject access request)."""
    _require_admin(request)
    person = _member_or_404(user_pk)
    content = dataprotection.export_personal_data(
        actor=request.user, user=person, partnership=request.partnership, request=request
    )
    return _json_download(content, f"{request.partnership.slug}-person-{person.pk}.json")


def person_erase(request: HttpRequest, user_pk: int) -> HttpResponse:
    """An admin erases a member on their request (confirm, then anonymise)."""
    _require_admin(request)
    person = _member_or_404(user_pk)
    error = None
    if request.method == "POST":
        try:
            dataprotection.erase_person(
                actor=request.user, user=person, partnership=request.partnership, request=request
            )
        except ValidationError as exc:
            error = exc.messages[0]
        else:
            messages.success(request, _("The person's personal data was erased."))
            return redirect(tenant_reverse(request, "people"))
    return render(request, "partnership/person_erase.html", {"person": person, "error": error})
