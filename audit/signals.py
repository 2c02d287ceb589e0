"""Attempts that fail are recorded too: failed sign-ins go to the security log.

They belong to no partnership (the person is not signed in), so they are logged rather
than written to a partnership's trail; the log shows the address they came from.
"""

from __future__ import annotations

import logging
from typing import Any

logger = logging.getLogger("portal.security")


def log_failed_login(sender: Any, credentials: dict[str, Any], request: Any = None, **kwargs):
    address = request.META.get("REMOTE_ADDR", "") if request is not None else ""
    login = str(credentials.get("email") or credentials.get("username") or "")[:254]
    logger.warning("Failed sign-in for %r from %s", login, address or "unknown address")
