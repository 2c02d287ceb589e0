"""The audit trail: who did what, when and from where, for sensitive actions.

Rows are written only through `audit.services.record_event` and never edited: `save()`
refuses an update and the admin is read-only. Old rows go only by the retention task.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from partnership.tenancy import TenantModel


class AuditEvent(TenantModel):
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="audit_events",
    )
    #: Who acted, as written at the time (kept when the account is later erased).
    actor_label = models.CharField(_("who"), max_length=254, blank=True)
    #: A dotted name such as "schools.category_changed" or "peerreview.finding_read".
    action = models.CharField(_("action"), max_length=80, db_index=True)
    target_type = models.CharField(max_length=80, blank=True)
    target_id = models.CharField(max_length=40, blank=True)
    target_label = models.CharField(_("what"), max_length=250, blank=True)
    detail = models.JSONField(default=dict, blank=True)
    ip_address = models.GenericIPAddressField(_("from"), null=True, blank=True)
    user_agent = models.CharField(max_length=250, blank=True)
    created_at = models.DateTimeField(_("when"), auto_now_add=True, db_index=True)

    class Meta:
        verbose_name = _("audit event")
        verbose_name_plural = _("audit events")
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["partnership", "target_type", "target_id"])]

    def __str__(self) -> str:
        when = f"{self.created_at:%Y-%m-%d %H:%M}"
        return f"{when} {self.actor_label} {self.action} {self.target_label}"

    def save(self, *args, **kwargs) -> None:
        if not self._state.adding and not kwargs.pop("_erasure", False):
            raise ValueError("Audit events cannot be changed.")
        super().save(*args, **kwargs)
