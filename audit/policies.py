"""Who may read the audit trail: the partnership's admins, for their own partnership only."""

from __future__ import annotations

import rules

from partnership.policies import is_partnership_admin

can_view_trail = is_partnership_admin
rules.add_rule("audit.view_trail", can_view_trail)
