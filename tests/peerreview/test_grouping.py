"""The automatic grouping proposal: property-based tests on randomised partnerships, and
the preferences on small hand-made ones."""

from __future__ import annotations

from collections import Counter

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from peerreview.grouping import TEAM, TRIAD, group_sizes, propose, verify
from peerreview.rules import History, ReviewerFacts, RuleSet, SchoolFacts


@st.composite
def partnerships(draw):
    """Schools (some in clusters, several local authorities), reviewers from those schools
    or from none, trained or not, some extra schools outside the cycle, random rules."""
    n_schools = draw(st.integers(0, 14))
    n_outside = draw(st.integers(0, 3))
    clusters = st.one_of(st.none(), st.integers(1, 4))
    schools = [
        SchoolFacts(
            id=i,
            name=f"School {i}",
            cluster_id=draw(clusters),
            local_authority_id=draw(st.integers(1, 3)),
        )
        for i in range(1, n_schools + n_outside + 1)
    ]
    reviewed, outside = schools[:n_schools], schools[n_schools:]
    home_ids = [s.id for s in schools]
    reviewers = [
        ReviewerFacts(
            id=1000 + j,
            name=f"Reviewer {j}",
            home_school_id=draw(st.one_of(st.none(), st.sampled_from(home_ids)))
            if home_ids
            else None,
            trained=draw(st.booleans()),
        )
        for j in range(draw(st.integers(0, 30)))
    ]
    rules = RuleSet(
        forbid_same_cluster=draw(st.booleans()),
        forbid_reciprocal=draw(st.booleans()),
        max_reviews_per_reviewer=draw(st.integers(1, 3)),
    )
    history = History()
    if home_ids:
        pairs = st.tuples(st.sampled_from(home_ids), st.sampled_from(home_ids))
        history = History(school_pairs=frozenset(draw(st.lists(pairs, max_size=6))))
    return {
        "schools": reviewed,
        "home_schools": outside,
        "reviewers": reviewers,
        "rules": rules,
        "kind": draw(st.sampled_from([TRIAD, TEAM])),
        "team_size": draw(st.integers(1, 4)),
        "history": history,
        "seed": draw(st.integers(0, 10_000)),
    }


# No example database: the suite leaves nothing behind in the working tree.
PROPERTY = settings(
    max_examples=150,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.too_slow],
)


@PROPERTY
@given(partnerships())
def test_every_proposal_keeps_every_hard_rule(case):
    proposal = propose(**case)

    assert (
        verify(
            proposal,
            schools=case["schools"],
            home_schools=case["home_schools"],
            reviewers=case["reviewers"],
            rules=case["rules"],
        )
        == []
    )


@PROPERTY
@given(partnerships())
def test_a_school_without_a_full_team_is_reported_with_a_reason(case):
    proposal = propose(**case)

    reported = {p.school_id for p in proposal.problems}
    for school in case["schools"]:
        team = proposal.teams.get(school.id, [])
        if len(team) < case["team_size"]:
            assert school.id in reported, f"{school.name} has {len(team)} reviewers, no reason"
    assert all(p.message.strip() for p in proposal.problems)


@PROPERTY
@given(partnerships())
def test_every_staffed_team_has_a_trained_lead_and_reviewers_from_the_pool(case):
    proposal = propose(**case)

    trained = {r.id for r in case["reviewers"] if r.trained}
    pool = {r.id for r in case["reviewers"]}
    reviewed = {s.id for s in case["schools"]}
    for school_id, team in proposal.teams.items():
        assert school_id in reviewed
        assert proposal.leads[school_id] in team
        assert proposal.leads[school_id] in trained
        assert set(team) <= pool
        assert len(team) == len(set(team)) <= case["team_size"]


@PROPERTY
@given(partnerships())
def test_triads_put_every_school_in_exactly_one_group_of_three_to_five(case):
    case["kind"] = TRIAD
    proposal = propose(**case)

    placed = [s for group in proposal.groups for s in group]
    if len(case["schools"]) >= 3:
        assert sorted(placed) == sorted(s.id for s in case["schools"])
        assert all(3 <= len(group) <= 5 for group in proposal.groups)
    else:
        assert placed == [] and len(proposal.problems) == len(case["schools"])


@PROPERTY
@given(partnerships())
def test_the_same_input_gives_the_same_proposal(case):
    first, second = propose(**case), propose(**case)

    assert (first.groups, first.teams, first.leads) == (second.groups, second.teams, second.leads)


def test_group_sizes_add_up_and_stay_between_three_and_five():
    for n in range(3, 200):
        sizes = group_sizes(n)
        assert sum(sizes) == n and all(3 <= s <= 5 for s in sizes)
    assert group_sizes(2) == []


def _triad_case(n: int, *, cluster=lambda i: None, la=lambda i: 1, trained=True):
    schools = [
        SchoolFacts(i, f"S{i}", cluster_id=cluster(i), local_authority_id=la(i))
        for i in range(1, n + 1)
    ]
    reviewers = [
        ReviewerFacts(100 + i, f"R{i}", home_school_id=i, trained=trained) for i in range(1, n + 1)
    ]
    return schools, reviewers


def test_triads_rotate_so_that_no_two_schools_review_each_other():
    schools, reviewers = _triad_case(9)
    proposal = propose(
        schools=schools, reviewers=reviewers, rules=RuleSet(), kind=TRIAD, team_size=1
    )

    home = {r.id: r.home_school_id for r in reviewers}
    edges = {(home[uid], sid) for sid, team in proposal.teams.items() for uid in team}
    assert len(proposal.teams) == 9 and not proposal.problems
    assert not any((b, a) in edges for a, b in edges)


def test_triads_mix_local_authorities_when_they_can():
    schools, reviewers = _triad_case(9, la=lambda i: i % 3)
    proposal = propose(
        schools=schools, reviewers=reviewers, rules=RuleSet(), kind=TRIAD, team_size=1
    )

    for group in proposal.groups:
        assert len({schools[s - 1].local_authority_id for s in group}) == 3


def test_triads_avoid_last_cycles_pairs_when_they_can():
    schools, reviewers = _triad_case(6)
    first = propose(schools=schools, reviewers=reviewers, rules=RuleSet(), kind=TRIAD, team_size=1)
    home = {r.id: r.home_school_id for r in reviewers}
    last_time = frozenset((home[uid], sid) for sid, team in first.teams.items() for uid in team)

    second = propose(
        schools=schools,
        reviewers=reviewers,
        rules=RuleSet(),
        kind=TRIAD,
        team_size=1,
        history=History(school_pairs=last_time),
        seed=1,
    )

    again = {(home[uid], sid) for sid, team in second.teams.items() for uid in team}
    assert not again & last_time


def test_a_school_with_no_trained_reviewer_leaves_the_next_school_unstaffed_with_a_reason():
    schools, reviewers = _triad_case(3, trained=False)
    proposal = propose(
        schools=schools, reviewers=reviewers, rules=RuleSet(), kind=TRIAD, team_size=1
    )

    assert proposal.teams == {}
    assert len(proposal.problems) == 3
    assert all("no trained reviewer" in p.message for p in proposal.problems)


def test_teams_spread_reviewers_and_prefer_another_local_authority():
    schools = [SchoolFacts(i, f"S{i}", local_authority_id=1 if i <= 2 else 2) for i in range(1, 5)]
    reviewers = [
        ReviewerFacts(100 + i, f"R{i}", home_school_id=i, trained=True) for i in range(1, 5)
    ]
    proposal = propose(
        schools=schools,
        reviewers=reviewers,
        rules=RuleSet(forbid_reciprocal=False, max_reviews_per_reviewer=1),
        kind=TEAM,
        team_size=1,
    )

    la = {s.id: s.local_authority_id for s in schools}
    home = {r.id: r.home_school_id for r in reviewers}
    assert len(proposal.teams) == 4
    assert all(la[home[team[0]]] != la[sid] for sid, team in proposal.teams.items())
    assert (
        Counter(uid for team in proposal.teams.values() for uid in team).most_common(1)[0][1] == 1
    )
