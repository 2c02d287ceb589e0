"""The automatic grouping proposal: groups and teams that satisfy the cycle's hard rules.

`propose()` is a pure function of plain facts (see `peerreview.rules`). Every team it
proposes passes `rules.check_plan`; a school it cannot staff gets no team and a `Problem`
saying why, so the organiser sees exactly what to fix. Among valid plans it prefers
mixing local authorities and not repeating who reviewed whom in the previous cycle.

Triads: the schools are cut into groups of three (four or five when the numbers do not
divide), and each school's reviewers review the next school in the group, round the
circle, so no two schools review each other. Teams: each school gets reviewers from other
schools, chosen greedily, neediest school first.
"""

from __future__ import annotations

import random
from collections import Counter, defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from django.utils.translation import gettext as _

from .rules import (
    NO_HISTORY,
    Advisory,
    History,
    Placement,
    ReviewerFacts,
    RuleSet,
    SchoolFacts,
    advise_plan,
    check_plan,
    conflict,
)

TRIAD = "triad"
TEAM = "team"
#: How many swaps the triad search may try: enough to untangle clusters and mix local
#: authorities for a few hundred schools, in well under a second.
EVALUATIONS = 20_000
#: The cost of a same-cluster pair in a triad's rotation, above any number of missed
#: preferences.
HARD = 1_000
#: Random restarts in a row that find nothing better before the search settles.
PATIENCE = 4


@dataclass(frozen=True)
class Problem:
    school_id: int | None
    message: str


@dataclass
class Proposal:
    groups: list[list[int]] = field(default_factory=list)  # school ids, in rotation order
    teams: dict[int, list[int]] = field(default_factory=dict)  # school id -> reviewer ids
    leads: dict[int, int] = field(default_factory=dict)  # school id -> lead reviewer id
    problems: list[Problem] = field(default_factory=list)
    advisories: list[Advisory] = field(default_factory=list)

    @property
    def placements(self) -> list[Placement]:
        return [
            Placement(school_id, reviewer_id, reviewer_id == self.leads.get(school_id))
            for school_id, reviewer_ids in self.teams.items()
            for reviewer_id in reviewer_ids
        ]

    def group_of(self, school_id: int) -> int | None:
        for index, group in enumerate(self.groups):
            if school_id in group:
                return index
        return None


def propose(
    *,
    schools: Sequence[SchoolFacts],
    reviewers: Sequence[ReviewerFacts],
    rules: RuleSet,
    kind: str,
    team_size: int,
    history: History = NO_HISTORY,
    seed: int = 0,
    home_schools: Sequence[SchoolFacts] = (),
) -> Proposal:
    """A grouping and teams for the reviewed `schools` from these reviewers (deterministic
    per seed). `home_schools` describes reviewers' schools outside the cycle (their
    clusters matter to the rules)."""
    rng = random.Random(seed)
    school_map = {s.id: s for s in home_schools}
    school_map.update({s.id: s for s in schools})
    reviewer_map = {r.id: r for r in reviewers}
    ordered_schools = sorted(schools, key=lambda s: s.id)
    ordered_reviewers = sorted(reviewers, key=lambda r: r.id)
    if kind == TRIAD:
        proposal = _propose_triads(
            ordered_schools, ordered_reviewers, school_map, rules, team_size, history, rng
        )
    else:
        proposal = _propose_teams(
            ordered_schools, ordered_reviewers, school_map, rules, team_size, history, rng
        )
    proposal.advisories = advise_plan(
        proposal.placements, schools=school_map, reviewers=reviewer_map, history=history
    )
    return proposal


# --- Triads ------------------------------------------------------------------------------


def group_sizes(n: int) -> list[int]:
    """Sizes of groups of three (some of four or five) that add up to n; [] below three."""
    if n < 3:
        return []
    q, r = divmod(n, 3)
    if r == 0:
        return [3] * q
    if r == 1:
        return [3] * (q - 1) + [4]
    if q >= 2:
        return [3] * (q - 2) + [4, 4]
    return [5]


def _cut(order: Sequence[int], sizes: Sequence[int]) -> list[list[int]]:
    groups, start = [], 0
    for size in sizes:
        groups.append(list(order[start : start + size]))
        start += size
    return groups


def _edges(groups: list[list[int]]) -> list[tuple[int, int]]:
    """(reviewing school, reviewed school): each school reviews the next one in its group."""
    return [(group[i - 1], group[i]) for group in groups for i in range(len(group))]


def _group_cost(
    group: Sequence[int],
    school_map: Mapping[int, SchoolFacts],
    rules: RuleSet,
    history: History,
) -> int:
    """How bad one group's arrangement is: a same-cluster pair in the rotation (a hard
    problem) weighs far more than a missed preference (same local authority, a repeat)."""
    cost = 0
    for i, reviewed in enumerate(group):
        reviewing = group[i - 1]
        a, b = school_map[reviewing], school_map[reviewed]
        if rules.forbid_same_cluster and a.cluster_id is not None and a.cluster_id == b.cluster_id:
            cost += HARD
        if (reviewing, reviewed) in history.school_pairs:
            cost += 2
    las = Counter(school_map[s].local_authority_id for s in group)
    return cost + sum(c - 1 for c in las.values())


def _propose_triads(
    schools: list[SchoolFacts],
    reviewers: list[ReviewerFacts],
    school_map: Mapping[int, SchoolFacts],
    rules: RuleSet,
    team_size: int,
    history: History,
    rng: random.Random,
) -> Proposal:
    proposal = Proposal()
    sizes = group_sizes(len(schools))
    if not sizes:
        proposal.problems += [
            Problem(s.id, _("Triads need at least three schools in the cycle.")) for s in schools
        ]
        return proposal

    by_home: dict[int, list[ReviewerFacts]] = defaultdict(list)
    for r in reviewers:
        if r.home_school_id is not None:
            by_home[r.home_school_id].append(r)

    bounds, start = [], 0
    for size in sizes:
        bounds.append((start, start + size))
        start += size
    group_at = [g for g, (lo, hi) in enumerate(bounds) for _ in range(lo, hi)]
    pairs = [(i, j) for i in range(len(schools)) for j in range(i + 1, len(schools))]

    def costs_of(order: list[int]) -> list[int]:
        return [_group_cost(order[lo:hi], school_map, rules, history) for lo, hi in bounds]

    ids = [s.id for s in schools]
    best_order, best_total = ids[:], sum(costs_of(ids))
    budget, restarts_without_gain = EVALUATIONS, 0
    while budget > 0 and best_total > 0 and restarts_without_gain < PATIENCE:
        # A random start, then swaps that lower the cost, until no swap helps.
        order = ids[:]
        rng.shuffle(order)
        costs = costs_of(order)
        improved = True
        while improved and budget > 0 and sum(costs) > 0:
            improved = False
            for i, j in rng.sample(pairs, len(pairs)):
                gi, gj = group_at[i], group_at[j]
                order[i], order[j] = order[j], order[i]
                new_i = _group_cost(order[slice(*bounds[gi])], school_map, rules, history)
                new_j = (
                    new_i
                    if gj == gi
                    else _group_cost(order[slice(*bounds[gj])], school_map, rules, history)
                )
                budget -= 1
                old = costs[gi] + (costs[gj] if gj != gi else 0)
                if new_i + (new_j if gj != gi else 0) < old:
                    costs[gi], costs[gj] = new_i, new_j
                    improved = True
                else:
                    order[i], order[j] = order[j], order[i]
                if budget <= 0:
                    break
        if sum(costs) < best_total:
            best_order, best_total = order[:], sum(costs)
            restarts_without_gain = 0
        else:
            restarts_without_gain += 1
    best_groups = _cut(best_order, sizes)

    proposal.groups = best_groups
    for reviewing, reviewed in _edges(best_groups):
        home, target = school_map[reviewing], school_map[reviewed]
        candidates = [
            r for r in by_home.get(reviewing, []) if conflict(r, target, school_map, rules) is None
        ]
        if not candidates and by_home.get(reviewing):
            proposal.problems.append(
                Problem(
                    reviewed,
                    _(
                        "%(home)s and %(school)s are in the same cluster, and no arrangement "
                        "of the groups avoided it."
                    )
                    % {"home": home.name, "school": target.name},
                )
            )
            continue
        trained = [r for r in candidates if r.trained]
        if not trained:
            proposal.problems.append(
                Problem(
                    reviewed,
                    _("%(home)s has no trained reviewer to lead the review of %(school)s.")
                    % {"home": home.name, "school": target.name},
                )
            )
            continue
        # Prefer people who did not review this school last time; then by id (stable).
        trained.sort(key=lambda r: (history.repeats(r, reviewed), r.id))
        lead = trained[0]
        others = sorted(
            (r for r in candidates if r.id != lead.id),
            key=lambda r: (history.repeats(r, reviewed), not r.trained, r.id),
        )
        team = [lead.id] + [r.id for r in others[: max(team_size - 1, 0)]]
        proposal.teams[reviewed] = team
        proposal.leads[reviewed] = lead.id
        if len(team) < team_size:
            proposal.problems.append(
                Problem(
                    reviewed,
                    _(
                        "Only %(found)s of %(size)s reviewers could come from %(home)s to "
                        "review %(school)s."
                    )
                    % {
                        "found": len(team),
                        "size": team_size,
                        "home": home.name,
                        "school": target.name,
                    },
                )
            )
    return proposal


# --- Teams -------------------------------------------------------------------------------


def _propose_teams(
    schools: list[SchoolFacts],
    reviewers: list[ReviewerFacts],
    school_map: Mapping[int, SchoolFacts],
    rules: RuleSet,
    team_size: int,
    history: History,
    rng: random.Random,
) -> Proposal:
    proposal = Proposal()
    load: Counter[int] = Counter()
    edges: set[tuple[int, int]] = set()  # (reviewer's school, reviewed school) placed so far
    tiebreak = {r.id: rng.random() for r in reviewers}

    def eligible(r: ReviewerFacts, school: SchoolFacts) -> bool:
        if load[r.id] >= rules.max_reviews_per_reviewer:
            return False
        if conflict(r, school, school_map, rules) is not None:
            return False
        return not (
            rules.forbid_reciprocal
            and r.home_school_id is not None
            and (school.id, r.home_school_id) in edges
        )

    # Neediest first: the school with the fewest eligible trained reviewers is staffed first.
    order = sorted(
        schools,
        key=lambda s: (sum(1 for r in reviewers if r.trained and eligible(r, s)), s.id),
    )
    for school in order:
        candidates = [r for r in reviewers if eligible(r, school)]

        def preference(r: ReviewerFacts, chosen_homes: set, school: SchoolFacts = school) -> tuple:
            home = school_map.get(r.home_school_id) if r.home_school_id else None
            same_la = home is not None and home.local_authority_id == school.local_authority_id
            return (
                history.repeats(r, school.id),
                same_la,
                r.home_school_id is not None and r.home_school_id in chosen_homes,
                load[r.id],
                tiebreak[r.id],
            )

        trained = [r for r in candidates if r.trained]
        if not trained:
            proposal.problems.append(
                Problem(
                    school.id,
                    _(
                        "No trained reviewer is free to lead the review of %(school)s without "
                        "breaking a rule."
                    )
                    % {"school": school.name},
                )
            )
            continue
        lead = min(trained, key=lambda r: preference(r, set()))
        team = [lead]
        homes = {lead.home_school_id}
        rest = [r for r in candidates if r.id != lead.id]
        while len(team) < team_size and rest:
            pick = min(rest, key=lambda r, homes=homes: preference(r, homes))
            rest.remove(pick)
            team.append(pick)
            homes.add(pick.home_school_id)
        for r in team:
            load[r.id] += 1
            if r.home_school_id is not None:
                edges.add((r.home_school_id, school.id))
        proposal.teams[school.id] = [r.id for r in team]
        proposal.leads[school.id] = lead.id
        if len(team) < team_size:
            proposal.problems.append(
                Problem(
                    school.id,
                    _("Only %(found)s of %(size)s reviewers could be found for %(school)s.")
                    % {"found": len(team), "size": team_size, "school": school.name},
                )
            )
    return proposal


def verify(
    proposal: Proposal,
    *,
    schools: Sequence[SchoolFacts],
    reviewers: Sequence[ReviewerFacts],
    rules: RuleSet,
    home_schools: Sequence[SchoolFacts] = (),
) -> list:
    """The hard-rule violations of a proposal (empty for every proposal `propose` makes)."""
    return check_plan(
        proposal.placements,
        schools={s.id: s for s in [*home_schools, *schools]},
        reviewers={r.id: r for r in reviewers},
        rules=rules,
    )
