"""The conflict-of-interest rules, on plain facts (no database)."""

from __future__ import annotations

from peerreview.rules import (
    Advice,
    History,
    Placement,
    ReviewerFacts,
    Rule,
    RuleSet,
    SchoolFacts,
    advise_plan,
    blocking_violations,
    check_plan,
)

SCHOOLS = {
    1: SchoolFacts(1, "Ysgol Un", cluster_id=10, local_authority_id=100),
    2: SchoolFacts(2, "Ysgol Dau", cluster_id=10, local_authority_id=100),
    3: SchoolFacts(3, "Ysgol Tri", cluster_id=20, local_authority_id=200),
    4: SchoolFacts(4, "Ysgol Pedwar", cluster_id=None, local_authority_id=200),
}
REVIEWERS = {
    11: ReviewerFacts(11, "Alaw", home_school_id=1, trained=True),
    22: ReviewerFacts(22, "Bryn", home_school_id=2, trained=True),
    33: ReviewerFacts(33, "Cai", home_school_id=3, trained=True),
    34: ReviewerFacts(34, "Dewi", home_school_id=3, trained=False),
    99: ReviewerFacts(99, "Eira", home_school_id=None, trained=True),
}
STRICT = RuleSet(forbid_same_cluster=True, forbid_reciprocal=True, max_reviews_per_reviewer=2)
LOOSE = RuleSet(forbid_same_cluster=False, forbid_reciprocal=False, max_reviews_per_reviewer=5)


def rules_broken(placements, rules=STRICT):
    return [
        v.rule for v in check_plan(placements, schools=SCHOOLS, reviewers=REVIEWERS, rules=rules)
    ]


def test_a_valid_team_breaks_no_rule():
    assert rules_broken([Placement(1, 33, True), Placement(1, 34)]) == []


def test_a_reviewer_from_the_reviewed_school_is_refused_whatever_the_settings():
    assert rules_broken([Placement(1, 11, True)], LOOSE) == [Rule.SAME_SCHOOL]


def test_a_reviewer_from_the_same_cluster_is_refused_when_configured():
    assert rules_broken([Placement(1, 22, True)]) == [Rule.SAME_CLUSTER]


def test_the_same_cluster_is_allowed_when_not_configured():
    assert rules_broken([Placement(1, 22, True)], LOOSE) == []


def test_schools_without_a_cluster_are_never_in_the_same_cluster():
    reviewers = {**REVIEWERS, 44: ReviewerFacts(44, "Ffion", home_school_id=4, trained=True)}
    schools = {**SCHOOLS, 5: SchoolFacts(5, "Ysgol Pump", cluster_id=None)}
    violations = check_plan(
        [Placement(5, 44, True)], schools=schools, reviewers=reviewers, rules=STRICT
    )
    assert violations == []


def test_a_reciprocal_pair_is_refused_and_named():
    violations = check_plan(
        [Placement(3, 11, True), Placement(1, 33, True)],
        schools=SCHOOLS,
        reviewers=REVIEWERS,
        rules=STRICT,
    )
    assert [v.rule for v in violations] == [Rule.RECIPROCAL]
    assert "Ysgol Un" in violations[0].message and "Ysgol Tri" in violations[0].message
    assert violations[0].school_ids == {1, 3}


def test_a_reciprocal_pair_is_allowed_when_not_configured():
    assert rules_broken([Placement(3, 11, True), Placement(1, 33, True)], LOOSE) == []


def test_reviewers_without_a_school_never_make_a_reciprocal_pair():
    assert rules_broken([Placement(3, 99, True), Placement(1, 99, True)]) == []


def test_more_reviews_than_the_maximum_is_refused():
    rules = RuleSet(max_reviews_per_reviewer=1)
    violations = check_plan(
        [Placement(1, 99, True), Placement(3, 99, True)],
        schools=SCHOOLS,
        reviewers=REVIEWERS,
        rules=rules,
    )
    assert [v.rule for v in violations] == [Rule.MAX_REVIEWS]
    assert violations[0].reviewer_id == 99


def test_a_team_needs_exactly_one_lead():
    assert rules_broken([Placement(1, 33), Placement(1, 34)]) == [Rule.NO_LEAD]
    assert rules_broken([Placement(1, 33, True), Placement(1, 99, True)]) == [Rule.NO_LEAD]


def test_an_untrained_reviewer_cannot_lead():
    assert rules_broken([Placement(1, 34, True)]) == [Rule.UNTRAINED_LEAD]


def test_every_violation_names_its_rule_in_words():
    violations = check_plan(
        [Placement(1, 11, True), Placement(1, 22)],
        schools=SCHOOLS,
        reviewers=REVIEWERS,
        rules=STRICT,
    )
    assert {v.rule_label for v in violations} == {
        "Reviewer from the reviewed school",
        "Reviewer from the same cluster",
    }
    assert all(v.message for v in violations)


def test_advice_flags_the_same_local_authority_and_repeats():
    history = History(school_pairs=frozenset({(3, 4)}))
    advice = advise_plan(
        [Placement(2, 11, True), Placement(4, 33, True)],
        schools=SCHOOLS,
        reviewers=REVIEWERS,
        history=history,
    )
    assert [a.advice for a in advice] == [
        Advice.SAME_LOCAL_AUTHORITY,
        Advice.SAME_LOCAL_AUTHORITY,
        Advice.REPEAT,
    ]


def test_a_change_is_blocked_only_by_what_it_breaks_or_by_its_own_team():
    old = check_plan([Placement(1, 22, True)], schools=SCHOOLS, reviewers=REVIEWERS, rules=STRICT)
    new_plan = [Placement(1, 22, True), Placement(4, 33, True)]
    after = check_plan(new_plan, schools=SCHOOLS, reviewers=REVIEWERS, rules=STRICT)
    # School 4's new team is fine; school 1's old cluster problem does not block it...
    assert blocking_violations(old, after, school_id=4, reviewer_ids=[33]) == []
    # ...but re-saving school 1's own team still shows its problem.
    assert [v.rule for v in blocking_violations(old, after, school_id=1, reviewer_ids=[22])] == [
        Rule.SAME_CLUSTER
    ]
