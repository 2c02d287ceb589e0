from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PeerreviewConfig(AppConfig):
    name = "peerreview"
    verbose_name = _("Peer review")
