"""Who may read, generate and download termly reports. Web views (and every download,
on every request) ask these; nothing else decides.

- A school's report: its governors and headteachers, its challenge adviser (a partner CA
  counts, and any senior CA), and partnership admins.
- The board report: partnership admins.
- Terms: partnership admins manage them.
"""

from __future__ import annotations

from typing import Any

import rules

from partnership.policies import is_member, is_partnership_admin
from schools.policies import is_ca_for, is_governor_of, is_headteacher_of

from .models import ReportKind

can_view_school_report = is_partnership_admin | is_headteacher_of | is_governor_of | is_ca_for
can_generate_school_report = can_view_school_report
can_view_board_report = is_partnership_admin
can_generate_board_report = is_partnership_admin
can_manage_terms = is_partnership_admin
can_open_reports = is_member


@rules.predicate
def can_view_run(user: Any, run: Any) -> bool:
    """May read (and download) this generation of a report."""
    if run.kind == ReportKind.BOARD:
        return bool(can_view_board_report(user, run))
    return bool(can_view_school_report(user, run.school))


@rules.predicate
def can_retry_run(user: Any, run: Any) -> bool:
    if run.kind == ReportKind.BOARD:
        return bool(can_generate_board_report(user, run))
    return bool(can_generate_school_report(user, run.school))
