"""Conflict-of-interest rules for review teams, as pure functions over plain facts.

Nothing here touches the database: services and the grouping proposal turn rows into
`SchoolFacts`, `ReviewerFacts` and `Placement`s and ask `check_plan()` what is wrong, so
the same rules judge a hand-made team, a proposal and a randomised property test.

Hard rules (a plan that breaks one is refused):
- no reviewer from the reviewed school (always);
- no reviewer from the reviewed school's cluster (when the cycle says so);
- no reciprocal pair: if someone from school X reviews school Y, nobody from Y reviews X
  in the same cycle (when the cycle says so);
- no reviewer on more reviews than the cycle's maximum;
- every staffed team has exactly one lead, and the lead is trained.

Preferences (reported as advisories, never refused): schools from different local
authorities, and not repeating who reviewed whom in the previous cycle.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

from django.db import models
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy


class Rule(models.TextChoices):
    SAME_SCHOOL = "same_school", gettext_lazy("Reviewer from the reviewed school")
    SAME_CLUSTER = "same_cluster", gettext_lazy("Reviewer from the same cluster")
    RECIPROCAL = "reciprocal", gettext_lazy("Reciprocal pair")
    MAX_REVIEWS = "max_reviews", gettext_lazy("Too many reviews for one reviewer")
    NO_LEAD = "no_lead", gettext_lazy("Team without exactly one lead")
    UNTRAINED_LEAD = "untrained_lead", gettext_lazy("Untrained lead reviewer")


class Advice(models.TextChoices):
    SAME_LOCAL_AUTHORITY = "same_la", gettext_lazy("Same local authority")
    REPEAT = "repeat", gettext_lazy("Repeat from the previous cycle")


@dataclass(frozen=True)
class SchoolFacts:
    id: int
    name: str
    cluster_id: int | None = None
    local_authority_id: int | None = None


@dataclass(frozen=True)
class ReviewerFacts:
    id: int  # the user's id
    name: str
    home_school_id: int | None = None
    trained: bool = False


@dataclass(frozen=True)
class Placement:
    """Reviewer `reviewer_id` is on the team that reviews school `school_id`."""

    school_id: int
    reviewer_id: int
    is_lead: bool = False


@dataclass(frozen=True)
class RuleSet:
    forbid_same_cluster: bool = True
    forbid_reciprocal: bool = True
    max_reviews_per_reviewer: int = 2

    @classmethod
    def for_cycle(cls, cycle) -> RuleSet:
        return cls(
            forbid_same_cluster=cycle.forbid_same_cluster,
            forbid_reciprocal=cycle.forbid_reciprocal,
            max_reviews_per_reviewer=cycle.max_reviews_per_reviewer,
        )


@dataclass(frozen=True)
class Violation:
    rule: Rule
    message: str
    school_ids: frozenset[int] = field(default_factory=frozenset)
    reviewer_id: int | None = None

    @property
    def rule_label(self) -> str:
        return str(self.rule.label)


@dataclass(frozen=True)
class Advisory:
    advice: Advice
    message: str
    school_ids: frozenset[int] = field(default_factory=frozenset)
    reviewer_id: int | None = None


@dataclass(frozen=True)
class History:
    """Who reviewed whom in the previous cycle: school pairs and reviewer-school pairs."""

    school_pairs: frozenset[tuple[int, int]] = frozenset()  # (reviewing school, reviewed)
    reviewer_pairs: frozenset[tuple[int, int]] = frozenset()  # (reviewer id, reviewed school)

    def repeats(self, reviewer: ReviewerFacts, school_id: int) -> bool:
        if (reviewer.id, school_id) in self.reviewer_pairs:
            return True
        return (
            reviewer.home_school_id is not None
            and (reviewer.home_school_id, school_id) in self.school_pairs
        )


#: No previous cycle to avoid repeating.
NO_HISTORY = History()


def conflict(
    reviewer: ReviewerFacts, school: SchoolFacts, schools: Mapping[int, SchoolFacts], rules: RuleSet
) -> Rule | None:
    """The rule a single reviewer-on-school placement breaks by itself, if any."""
    if reviewer.home_school_id is None:
        return None
    if reviewer.home_school_id == school.id:
        return Rule.SAME_SCHOOL
    home = schools.get(reviewer.home_school_id)
    if (
        rules.forbid_same_cluster
        and home is not None
        and home.cluster_id is not None
        and home.cluster_id == school.cluster_id
    ):
        return Rule.SAME_CLUSTER
    return None


def check_plan(
    placements: Iterable[Placement],
    *,
    schools: Mapping[int, SchoolFacts],
    reviewers: Mapping[int, ReviewerFacts],
    rules: RuleSet,
) -> list[Violation]:
    """Every hard rule the whole plan breaks, each with a message naming who and why."""
    placements = list(placements)
    violations: list[Violation] = []
    by_school: dict[int, list[Placement]] = defaultdict(list)
    for p in placements:
        by_school[p.school_id].append(p)

    for p in placements:
        reviewer, school = reviewers[p.reviewer_id], schools[p.school_id]
        broken = conflict(reviewer, school, schools, rules)
        if broken == Rule.SAME_SCHOOL:
            violations.append(
                Violation(
                    Rule.SAME_SCHOOL,
                    _("%(reviewer)s works at %(school)s, the school being reviewed.")
                    % {"reviewer": reviewer.name, "school": school.name},
                    frozenset({school.id}),
                    reviewer.id,
                )
            )
        elif broken == Rule.SAME_CLUSTER:
            home = schools[reviewer.home_school_id]
            violations.append(
                Violation(
                    Rule.SAME_CLUSTER,
                    _("%(reviewer)s works at %(home)s, in the same cluster as %(school)s.")
                    % {"reviewer": reviewer.name, "home": home.name, "school": school.name},
                    frozenset({school.id, home.id}),
                    reviewer.id,
                )
            )

    if rules.forbid_reciprocal:
        edges = {
            (reviewers[p.reviewer_id].home_school_id, p.school_id)
            for p in placements
            if reviewers[p.reviewer_id].home_school_id is not None
        }
        for x, y in sorted(edges):
            if x < y and (y, x) in edges:
                name_x = schools[x].name if x in schools else str(x)
                name_y = schools[y].name if y in schools else str(y)
                violations.append(
                    Violation(
                        Rule.RECIPROCAL,
                        _("%(x)s and %(y)s would review each other in the same cycle.")
                        % {"x": name_x, "y": name_y},
                        frozenset({x, y}),
                    )
                )

    counts = Counter(p.reviewer_id for p in placements)
    for reviewer_id, count in sorted(counts.items()):
        if count > rules.max_reviews_per_reviewer:
            violations.append(
                Violation(
                    Rule.MAX_REVIEWS,
                    _("%(reviewer)s is on %(count)s reviews; the most in this cycle is %(max)s.")
                    % {
                        "reviewer": reviewers[reviewer_id].name,
                        "count": count,
                        "max": rules.max_reviews_per_reviewer,
                    },
                    frozenset(p.school_id for p in placements if p.reviewer_id == reviewer_id),
                    reviewer_id,
                )
            )

    for school_id, team in sorted(by_school.items()):
        leads = [p for p in team if p.is_lead]
        school_name = schools[school_id].name
        if len(leads) != 1:
            violations.append(
                Violation(
                    Rule.NO_LEAD,
                    _("The team reviewing %(school)s needs exactly one lead reviewer.")
                    % {"school": school_name},
                    frozenset({school_id}),
                )
            )
        for lead in leads:
            if not reviewers[lead.reviewer_id].trained:
                violations.append(
                    Violation(
                        Rule.UNTRAINED_LEAD,
                        _(
                            "%(reviewer)s has not been trained in peer review, so cannot lead "
                            "the review of %(school)s."
                        )
                        % {"reviewer": reviewers[lead.reviewer_id].name, "school": school_name},
                        frozenset({school_id}),
                        lead.reviewer_id,
                    )
                )
    return violations


def advise_plan(
    placements: Iterable[Placement],
    *,
    schools: Mapping[int, SchoolFacts],
    reviewers: Mapping[int, ReviewerFacts],
    history: History = NO_HISTORY,
) -> list[Advisory]:
    """Preferences the plan does not meet (shown to the organiser, never refused)."""
    advisories: list[Advisory] = []
    for p in placements:
        reviewer, school = reviewers[p.reviewer_id], schools[p.school_id]
        home = schools.get(reviewer.home_school_id) if reviewer.home_school_id else None
        if (
            home is not None
            and home.id != school.id
            and home.local_authority_id is not None
            and home.local_authority_id == school.local_authority_id
        ):
            advisories.append(
                Advisory(
                    Advice.SAME_LOCAL_AUTHORITY,
                    _("%(reviewer)s is from the same local authority as %(school)s.")
                    % {"reviewer": reviewer.name, "school": school.name},
                    frozenset({school.id}),
                    reviewer.id,
                )
            )
        if history.repeats(reviewer, school.id):
            advisories.append(
                Advisory(
                    Advice.REPEAT,
                    _("%(reviewer)s's school also reviewed %(school)s in the previous cycle.")
                    % {"reviewer": reviewer.name, "school": school.name},
                    frozenset({school.id}),
                    reviewer.id,
                )
            )
    return advisories


def blocking_violations(
    before: Iterable[Violation],
    after: Iterable[Violation],
    *,
    school_id: int,
    reviewer_ids: Iterable[int],
) -> list[Violation]:
    """What stops one team from being saved: anything the change breaks that was not broken
    before, and anything wrong with this team itself (even if it was wrong already)."""
    before = set(before)
    reviewer_ids = set(reviewer_ids)

    def about_this_team(v: Violation) -> bool:
        return school_id in v.school_ids and (
            v.reviewer_id is None or v.reviewer_id in reviewer_ids
        )

    return [v for v in after if v not in before or about_this_team(v)]
