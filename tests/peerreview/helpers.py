"""Small helpers shared by the peer-review tests."""

from __future__ import annotations

from datetime import timedelta

from django.utils import timezone


def url(partnership, path: str = "") -> str:
    """A peer-review address inside a partnership."""
    return f"/p/{partnership.slug}/peer-review/{path}"


def in_window(cycle, days: int = 3):
    """A date inside the cycle's window: `days` from today, or the window's first day."""
    return max(cycle.window_start, timezone.localdate() + timedelta(days=days))
