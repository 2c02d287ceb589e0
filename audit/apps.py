from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AuditConfig(AppConfig):
    name = "audit"
    verbose_name = _("Audit trail")

    def ready(self) -> None:
        from django.contrib.auth.signals import user_login_failed

        from .signals import log_failed_login

        user_login_failed.connect(log_failed_login, dispatch_uid="audit.log_failed_login")
