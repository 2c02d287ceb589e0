"""Teams and groups: the organiser builds or adjusts teams; a team that breaks a rule is
refused with the rule named and nothing written; the automatic proposal is applied."""

from __future__ import annotations

import pytest

from peerreview import services
from peerreview.models import ReviewGroup, ReviewTeamMember
from peerreview.rules import Rule
from tests.factories import (
    FindingsFactory,
    ReviewerProfileFactory,
    ReviewFactory,
    ReviewTeamMemberFactory,
    SchoolFactory,
    VisitFactory,
)

from .helpers import url

pytestmark = pytest.mark.django_db


def _team(review):
    return sorted(
        ReviewTeamMember.objects.filter(review=review).values_list("reviewer_id", "is_lead")
    )


def _post_team(client, world, review, reviewers, lead):
    return client.post(
        url(world.p, f"reviews/{review.pk}/team/"),
        {"reviewers": [str(r.pk) for r in reviewers], "lead": str(lead.pk) if lead else ""},
    )


def test_the_organiser_saves_a_valid_team(world, client_for, member_factory):
    other = ReviewFactory(partnership=world.p, cycle=world.cycle, school=world.other_school)

    response = _post_team(
        client_for(world.admin), world, other, [world.lead, world.member], world.lead
    )

    assert response.status_code == 302
    assert _team(other) == sorted([(world.lead.pk, True), (world.member.pk, False)])


def test_a_reviewer_from_the_reviewed_school_is_refused_with_the_rule_named(world, client_for):
    host_reviewer = ReviewerProfileFactory(partnership=world.p, school=world.host).user
    before = _team(world.review)

    response = _post_team(
        client_for(world.admin), world, world.review, [world.lead, host_reviewer], world.lead
    )

    page = response.content.decode()
    assert response.status_code == 400
    assert "Reviewer from the reviewed school" in page
    assert "works at Ysgol y Bryn, the school being reviewed" in page
    assert _team(world.review) == before


def test_a_reviewer_from_the_same_cluster_is_refused(world, client_for):
    cluster_reviewer = ReviewerProfileFactory(partnership=world.p, school=world.cluster_school).user

    response = _post_team(
        client_for(world.admin), world, world.review, [cluster_reviewer], cluster_reviewer
    )

    assert response.status_code == 400
    assert "Reviewer from the same cluster" in response.content.decode()
    assert not ReviewTeamMember.objects.filter(reviewer=cluster_reviewer).exists()


def test_the_same_cluster_is_allowed_when_the_cycle_allows_it(world, client_for):
    world.cycle.forbid_same_cluster = False
    world.cycle.save()
    cluster_reviewer = ReviewerProfileFactory(partnership=world.p, school=world.cluster_school).user

    response = _post_team(
        client_for(world.admin), world, world.review, [cluster_reviewer], cluster_reviewer
    )

    assert response.status_code == 302
    assert _team(world.review) == [(cluster_reviewer.pk, True)]


def test_a_reciprocal_pair_is_refused(world, client_for):
    # The lead's school (Ysgol Aber) reviews Ysgol y Bryn; now someone from Ysgol y Bryn
    # would review Ysgol Aber.
    aber = ReviewFactory(partnership=world.p, cycle=world.cycle, school=world.lead_school)
    host_reviewer = ReviewerProfileFactory(partnership=world.p, school=world.host).user

    response = _post_team(client_for(world.admin), world, aber, [host_reviewer], host_reviewer)

    page = response.content.decode()
    assert response.status_code == 400
    assert "Reciprocal pair" in page
    assert "Ysgol Aber" in page and "would review each other in the same cycle" in page
    assert _team(aber) == []


def test_a_reviewer_over_the_maximum_is_refused(world, client_for):
    world.cycle.max_reviews_per_reviewer = 1
    world.cycle.save()
    other = ReviewFactory(partnership=world.p, cycle=world.cycle, school=world.other_school)

    response = _post_team(client_for(world.admin), world, other, [world.lead], world.lead)

    assert response.status_code == 400
    assert "Too many reviews for one reviewer" in response.content.decode()
    assert _team(other) == []


def test_an_untrained_reviewer_cannot_lead(world, client_for):
    other = ReviewFactory(partnership=world.p, cycle=world.cycle, school=world.other_school)

    response = _post_team(client_for(world.admin), world, other, [world.member], world.member)

    assert response.status_code == 400
    assert "Untrained lead reviewer" in response.content.decode()
    assert _team(other) == []


def test_a_team_without_a_lead_is_refused(world, client_for):
    other = ReviewFactory(partnership=world.p, cycle=world.cycle, school=world.other_school)

    response = _post_team(client_for(world.admin), world, other, [world.lead], None)

    assert response.status_code == 400
    assert "Choose the lead reviewer from the team" in response.content.decode()


def test_someone_outside_the_pool_is_refused(world, client_for, member_factory):
    other = ReviewFactory(partnership=world.p, cycle=world.cycle, school=world.other_school)

    response = client_for(world.admin).post(
        url(world.p, f"reviews/{other.pk}/team/"),
        {"reviewers": [str(world.governor.pk)], "lead": str(world.governor.pk)},
    )

    assert response.status_code == 400
    assert _team(other) == []


def test_only_organisers_change_teams(world, client_for):
    for person in (world.head, world.lead, world.ca):
        response = _post_team(client_for(person), world, world.review, [world.lead], world.lead)
        assert response.status_code == 403
    assert len(_team(world.review)) == 2


def test_a_team_cannot_change_after_the_findings_are_submitted(world):
    FindingsFactory(
        partnership=world.p,
        review=world.review,
        status="submitted",
        submitted_at="2026-01-01T10:00Z",
    )

    with pytest.raises(services.ValidationError, match="can no longer be changed"):
        services.set_team(
            actor=world.admin,
            review=world.review,
            reviewer_ids=[world.lead.pk],
            lead_id=world.lead.pk,
        )
    assert len(_team(world.review)) == 2


def test_the_cycle_page_shows_teams_that_break_a_rule(world, client_for):
    world.cycle.max_reviews_per_reviewer = 1
    world.cycle.save()
    other = ReviewFactory(partnership=world.p, cycle=world.cycle, school=world.other_school)
    ReviewTeamMemberFactory(
        partnership=world.p, review=other, profile=world.lead_profile, is_lead=True
    )

    page = client_for(world.admin).get(url(world.p, f"cycles/{world.cycle.pk}/")).content.decode()

    assert "Teams that break a rule" in page
    assert str(Rule.MAX_REVIEWS.label) in page


# --- The automatic proposal --------------------------------------------------------------


@pytest.fixture
def triad_cycle(world):
    """Nine schools in three local authorities, each with a trained reviewer."""
    cycle = world.cycle
    cycle.group_kind = "triad"
    cycle.team_size = 1
    cycle.save()
    ReviewTeamMember.objects.filter(review__cycle=cycle).delete()
    schools = [world.host, world.lead_school, world.member_school]
    schools += [SchoolFactory(partnership=world.p, name=f"Ysgol {n}") for n in range(6)]
    for school in schools:
        ReviewFactory(
            partnership=world.p, cycle=cycle, school=school
        ) if school != world.host else None
        ReviewerProfileFactory(partnership=world.p, school=school)
    return cycle


def test_the_organiser_applies_the_proposal_and_every_team_keeps_the_rules(
    world, triad_cycle, client_for
):
    client = client_for(world.admin)

    page = client.get(url(world.p, f"cycles/{triad_cycle.pk}/grouping/"))
    response = client.post(url(world.p, f"cycles/{triad_cycle.pk}/grouping/"))

    assert page.status_code == 200 and "Group 3" in page.content.decode()
    assert response.status_code == 302
    assert ReviewGroup.objects.filter(cycle=triad_cycle).count() == 3
    teams = ReviewTeamMember.objects.filter(review__cycle=triad_cycle).select_related(
        "profile", "review"
    )
    assert teams.count() == 9
    assert all(m.is_lead and m.profile.school_id != m.review.school_id for m in teams)
    cycle_page = client.get(url(world.p, f"cycles/{triad_cycle.pk}/")).content.decode()
    assert "Teams that break a rule" not in cycle_page


def test_the_proposal_is_not_applied_once_visits_exist(world, triad_cycle, client_for):
    VisitFactory(partnership=world.p, review=world.review)
    before = _team(world.review)

    response = client_for(world.admin).post(url(world.p, f"cycles/{triad_cycle.pk}/grouping/"))

    assert response.status_code == 400
    assert "can only be changed one at a time" in response.content.decode()
    assert _team(world.review) == before
    assert not ReviewGroup.objects.filter(cycle=triad_cycle).exists()


def test_only_organisers_see_or_apply_the_proposal(world, triad_cycle, client_for):
    for person in (world.head, world.lead, world.ca):
        client = client_for(person)
        assert client.get(url(world.p, f"cycles/{triad_cycle.pk}/grouping/")).status_code == 403
        assert client.post(url(world.p, f"cycles/{triad_cycle.pk}/grouping/")).status_code == 403
    assert not ReviewGroup.objects.filter(cycle=triad_cycle).exists()


def test_a_school_without_a_team_can_be_taken_out_of_the_cycle(world, client_for):
    other = ReviewFactory(partnership=world.p, cycle=world.cycle, school=world.other_school)

    response = client_for(world.admin).post(url(world.p, f"reviews/{other.pk}/remove/"))

    assert response.status_code == 302
    assert not world.cycle.reviews.filter(pk=other.pk).exists()


def test_a_school_with_a_team_stays_in_the_cycle(world, client_for):
    response = client_for(world.admin).post(url(world.p, f"reviews/{world.review.pk}/remove/"))

    assert response.status_code == 400
    assert "stays in the cycle" in response.content.decode()
    assert world.cycle.reviews.filter(pk=world.review.pk).exists()
