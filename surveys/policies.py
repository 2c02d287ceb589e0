"""Who may see and do what in surveys. Used by the web views and the API alike.

- Partnership admins run needs survey rounds (create, open, close), change the survey
  settings, see the impact-survey operator page and retry failed sends, and turn a
  round's result into a panel's identified need.
- Staff roles (admin, senior CA, CA) see needs-survey results and impact results.
- A headteacher answers the needs survey for their own school (draft, then submit).
- Participants answer impact surveys through their personal link, without an account.
- Impact summaries on programme, hub and value pages are aggregates (no names, no free
  text): whoever may open those pages sees them.
"""

from __future__ import annotations

from typing import Any

import rules

from partnership.models import Role
from partnership.policies import is_partnership_admin, is_staff_role, school_ids_with_role

can_manage_surveys = is_partnership_admin
can_view_results = is_staff_role


@rules.predicate
def is_headteacher_of(user: Any, school: Any) -> bool:
    return school is not None and school.pk in school_ids_with_role(user, school, Role.HEADTEACHER)


can_answer_needs_survey = is_headteacher_of


@rules.predicate
def answers_needs_surveys(user: Any, partnership: Any) -> bool:
    return bool(school_ids_with_role(user, partnership, Role.HEADTEACHER))


can_open_surveys = can_view_results | answers_needs_surveys

#: For templates: {% test_rule "surveys.open_section" user partnership as show %}
rules.set_rule("surveys.open_section", can_open_surveys)
