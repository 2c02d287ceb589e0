from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class BrokerageConfig(AppConfig):
    name = "brokerage"
    verbose_name = _("Brokerage")

    def ready(self) -> None:
        # Registers the rules the templates test ({% test_rule "brokerage.open_section" %}).
        from . import policies  # noqa: F401
