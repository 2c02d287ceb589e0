from allauth.account.adapter import DefaultAccountAdapter
from allauth.mfa.adapter import DefaultMFAAdapter
from django.conf import settings


class InvitationOnlyAccountAdapter(DefaultAccountAdapter):
    """No open sign-up: people join through a partnership admin's invitation."""

    def is_open_for_signup(self, request) -> bool:
        return False


class PortalMFAAdapter(DefaultMFAAdapter):
    """Those whose role needs two-factor login cannot switch it off while it is enforced."""

    def can_delete_authenticator(self, authenticator) -> bool:
        from .middleware import two_factor_required

        if getattr(settings, "MFA_ENFORCED", False) and two_factor_required(authenticator.user):
            return False
        return super().can_delete_authenticator(authenticator)
