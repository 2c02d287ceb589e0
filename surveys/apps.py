from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SurveysConfig(AppConfig):
    name = "surveys"
    verbose_name = _("Surveys and impact")

    def ready(self) -> None:
        # Registers the rules the templates test ({% test_rule "surveys.open_section" %}).
        from . import policies  # noqa: F401
