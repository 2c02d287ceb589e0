"""Who may see and change group projects, their funding and the resource library (web and
API alike).

- every member of the partnership sees projects (aims, need, schools, outputs, evaluation)
  and uses the published library: resources are made to be shared beyond the group;
- a project's money (budget lines, spend) is for the partnership's staff roles and the
  headteachers and governors of its member schools;
- the partnership admin (or a senior CA) starts projects for any group and allocates
  enabling funding; a headteacher starts a project for a group their school belongs to,
  with their school as lead, and the lead school's headteacher runs it (budget lines,
  spend, milestones, evaluation);
- the allocation summary across groups is for the admin and senior CAs;
- resources are added by admins, CAs, headteachers and hub leads; a headteacher or hub
  lead adds them for their own school, and may add missing language versions to any.
"""

from __future__ import annotations

from typing import Any

import rules

from partnership.models import Role
from partnership.policies import (
    has_role,
    is_challenge_adviser,
    is_member,
    is_partnership_admin,
    is_senior_ca,
    is_staff_role,
    school_ids_with_role,
)

from .models import GroupProject, Resource, ResourceStatus


def project_school_ids(project: GroupProject) -> set[int]:
    """The project's member school ids (and its lead), from a prefetch when there is one."""
    cached = getattr(project, "_school_ids", None)
    if cached is None:
        prefetched = getattr(project, "_prefetched_objects_cache", {}).get("schools")
        if prefetched is not None:
            cached = {s.pk for s in prefetched}
        else:
            cached = set(project.schools.values_list("pk", flat=True))
        cached.add(project.lead_school_id)
        project._school_ids = cached
    return cached


def _project_of(obj: Any) -> GroupProject:
    return obj if isinstance(obj, GroupProject) else obj.project


@rules.predicate
def is_lead_headteacher(user: Any, obj: Any) -> bool:
    """The headteacher of the project's lead school (obj: a project or one of its rows)."""
    project = _project_of(obj)
    return project.lead_school_id in school_ids_with_role(user, project, Role.HEADTEACHER)


@rules.predicate
def is_of_member_school(user: Any, obj: Any) -> bool:
    project = _project_of(obj)
    mine = school_ids_with_role(user, project, Role.HEADTEACHER, Role.GOVERNOR)
    return bool(mine and mine & project_school_ids(project))


@rules.predicate
def is_headteacher(user: Any, obj: Any) -> bool:
    return has_role(user, obj, Role.HEADTEACHER)


@rules.predicate
def is_hub_lead(user: Any, obj: Any) -> bool:
    return has_role(user, obj, Role.HUB_LEAD)


# --- Projects ---------------------------------------------------------------------------------

can_view_projects = is_member  # obj: the partnership
can_view_project = is_member  # obj: the project
#: Starting a project (obj: the partnership); the group and lead are checked by can_lead_for.
can_create_project = is_partnership_admin | is_senior_ca | is_headteacher
can_manage_any_group = is_partnership_admin | is_senior_ca
can_edit_project = is_partnership_admin | is_senior_ca | is_lead_headteacher
#: Setting the enabling funding allocated to a project: the partnership decides.
can_allocate_funding = is_partnership_admin | is_senior_ca
can_view_project_funding = is_staff_role | is_of_member_school
#: Budget lines, spending, milestones and the evaluation.
can_run_project = can_edit_project
#: Whether the person may run some project (obj: the partnership): checked before the API
#: reads a request, so others are refused without learning what input is wrong.
can_run_some_project = is_partnership_admin | is_senior_ca | is_headteacher
#: Funding across every group, with the fair-allocation summary (obj: the partnership).
can_view_allocations = is_partnership_admin | is_senior_ca
rules.set_rule("collaboration.view_allocations", can_view_allocations)


def can_lead_for(user: Any, school: Any) -> bool:
    """Whether the user may name this school as a project's lead."""
    if can_manage_any_group(user, school):
        return True
    return school.pk in school_ids_with_role(user, school, Role.HEADTEACHER)


# --- Resources --------------------------------------------------------------------------------

can_view_library = is_member  # obj: the partnership
can_add_resource = is_partnership_admin | is_challenge_adviser | is_headteacher | is_hub_lead
can_follow_areas = is_member


#: Naming any school as a resource's author (obj: the partnership or a school).
can_author_for_any_school = is_partnership_admin | is_challenge_adviser


def can_author_for(user: Any, school: Any) -> bool:
    """Whether the user may name this school as a resource's author."""
    if can_author_for_any_school(user, school):
        return True
    return school.pk in school_ids_with_role(user, school, Role.HEADTEACHER, Role.HUB_LEAD)


@rules.predicate
def is_resource_author(user: Any, resource: Resource) -> bool:
    if resource.created_by_id == user.pk and is_member(user, resource):
        return True
    schools = school_ids_with_role(user, resource, Role.HEADTEACHER, Role.HUB_LEAD)
    return resource.author_school_id in schools


can_edit_resource = is_partnership_admin | is_challenge_adviser | is_resource_author
#: Adding a missing language version (a Welsh translation, say) is open to any contributor.
can_add_version = can_add_resource


@rules.predicate
def resource_is_published(user: Any, resource: Resource) -> bool:
    return resource.status == ResourceStatus.PUBLISHED


can_view_resource = (is_member & resource_is_published) | can_edit_resource
