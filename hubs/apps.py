from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class HubsConfig(AppConfig):
    name = "hubs"
    verbose_name = _("Hubs and programmes")

    def ready(self) -> None:
        # Registers the rules the templates test ({% test_rule "hubs.view_value_for_money" %}).
        from . import policies  # noqa: F401
