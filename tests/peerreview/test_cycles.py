"""Cycles: creation with clear errors, and joint cycles shared only with partnerships that
agreed to join, without opening anything else of the host partnership."""

from __future__ import annotations

import datetime

import pytest
from django.core import mail

from partnership.models import Role
from partnership.tenancy import tenant_scope
from peerreview import selectors, services
from peerreview.models import Cycle, CycleParticipation, Review
from tests.factories import (
    CycleFactory,
    FindingsFactory,
    ReviewerProfileFactory,
    ReviewFactory,
    VisitFactory,
)

from .helpers import url

pytestmark = pytest.mark.django_db


def _form(world, **overrides):
    data = {
        "name": "Spring peer review",
        "academic_year": "2026/27",
        "window_start": "2027-01-11",
        "window_end": "2027-03-26",
        "framework_version": world.version.pk,
        "group_kind": "triad",
        "team_size": "2",
        "forbid_same_cluster": "on",
        "forbid_reciprocal": "on",
        "max_reviews_per_reviewer": "2",
    }
    data.update(overrides)
    return data


def test_an_admin_starts_a_cycle_and_the_host_takes_part(world, client_for):
    response = client_for(world.admin).post(url(world.p, "cycles/new/"), _form(world))

    cycle = Cycle.objects.get(name="Spring peer review")
    assert response.status_code == 302
    assert (cycle.window_start, cycle.window_end) == (
        datetime.date(2027, 1, 11),
        datetime.date(2027, 3, 26),
    )
    host = cycle.participations.get()
    assert (host.partnership, host.status, host.is_host) == (world.p, "agreed", True)


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"window_end": "2027-01-01"}, "on or after the first day"),
        ({"academic_year": "2026-27"}, "2025/26"),
        ({"academic_year": "2026/29"}, "two consecutive years"),
        ({"window_start": "2027-08-01", "window_end": "2027-09-30"}, "within the academic year"),
        ({"name": "Cwm peer review 2026"}, "already a cycle with this name"),
        ({"max_reviews_per_reviewer": "0"}, "greater than or equal to 1"),
    ],
)
def test_bad_cycle_settings_are_refused_with_a_clear_error(world, client_for, overrides, message):
    before = Cycle.objects.count()

    response = client_for(world.admin).post(url(world.p, "cycles/new/"), _form(world, **overrides))

    assert response.status_code == 200
    assert message in response.content.decode()
    assert Cycle.objects.count() == before


def test_people_who_do_not_organise_cannot_start_a_cycle(world, client_for):
    for person in (world.head, world.lead, world.governor, world.ca):
        response = client_for(person).post(url(world.p, "cycles/new/"), _form(world))
        assert response.status_code == 403
    assert not Cycle.objects.filter(name="Spring peer review").exists()


# --- Joint cycles ------------------------------------------------------------------------


@pytest.fixture
def joint(world, partner):
    """A's cycle with B invited; A also has a second cycle of its own."""
    services.invite_partnership(actor=world.admin, cycle=world.cycle, slug=partner.p.slug)
    private = CycleFactory(partnership=world.p, name="Cwm private cycle")
    private_review = ReviewFactory(partnership=world.p, cycle=private, school=world.other_school)
    return world, partner, private, private_review


def _agree(partner, cycle):
    participation = CycleParticipation.objects.get(partnership=partner.p, cycle=cycle)
    return services.respond_to_invitation(
        actor=partner.admin, participation=participation, agree=True
    )


def test_inviting_a_partnership_emails_its_admins(
    world, partner, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        services.invite_partnership(actor=world.admin, cycle=world.cycle, slug="borough")

    assert [m.to for m in mail.outbox] == [[partner.admin.email]]
    assert "Cwm Partnership invites you" in mail.outbox[0].subject


def test_inviting_an_unknown_partnership_is_a_clear_error(world, client_for):
    response = client_for(world.admin).post(
        url(world.p, f"cycles/{world.cycle.pk}/invite/"), {"slug": "nowhere"}
    )

    assert response.status_code == 200
    assert "no partnership with this short name" in response.content.decode()
    assert world.cycle.participations.count() == 1


def test_an_invited_partnership_does_not_see_the_cycle_until_it_agrees(joint, client_for):
    world, partner, _private, _ = joint
    client = client_for(partner.admin)

    before = client.get(url(partner.p, f"cycles/{world.cycle.pk}/"))
    home = client.get(url(partner.p)).content.decode()
    participation = CycleParticipation.objects.get(partnership=partner.p)
    answer = client.post(url(partner.p, f"invitations/{participation.pk}/"), {"answer": "agree"})
    after = client.get(url(partner.p, f"cycles/{world.cycle.pk}/"))

    assert before.status_code == 404
    assert "Cwm peer review 2026, hosted by Cwm Partnership" in home
    assert answer.status_code == 302
    assert after.status_code == 200
    assert "hosted by Cwm Partnership" in after.content.decode()


def test_a_declined_cycle_stays_invisible(joint, client_for):
    world, partner, _private, _ = joint
    participation = CycleParticipation.objects.get(partnership=partner.p)
    services.respond_to_invitation(actor=partner.admin, participation=participation, agree=False)

    response = client_for(partner.admin).get(url(partner.p, f"cycles/{world.cycle.pk}/"))

    assert response.status_code == 404


def test_an_invitation_is_answered_once(joint):
    world, partner, *_ = joint
    participation = _agree(partner, world.cycle)

    with pytest.raises(services.ValidationError, match="already been answered"):
        services.respond_to_invitation(
            actor=partner.admin, participation=participation, agree=False
        )
    participation.refresh_from_db()
    assert participation.status == CycleParticipation.Status.AGREED


def test_a_partner_adds_only_its_own_schools(joint, client_for):
    world, partner, *_ = joint
    _agree(partner, world.cycle)
    client = client_for(partner.admin)

    page = client.get(url(partner.p, f"cycles/{world.cycle.pk}/schools/")).content.decode()
    response = client.post(
        url(partner.p, f"cycles/{world.cycle.pk}/schools/"), {"schools": [partner.school.pk]}
    )
    smuggled = client.post(
        url(partner.p, f"cycles/{world.cycle.pk}/schools/"), {"schools": [world.other_school.pk]}
    )

    assert "Borough Primary" in page and "Ysgol Arall" not in page
    assert response.status_code == 302
    review = Review.objects.get(school=partner.school)
    assert review.partnership_id == world.p.pk  # the cycle's rows belong to the host
    assert smuggled.status_code == 200
    assert not Review.objects.filter(cycle=world.cycle, school=world.other_school).exists()


def test_a_partner_sees_the_joint_cycle_but_none_of_the_hosts_other_data(joint, client_for):
    world, partner, private, private_review = joint
    _agree(partner, world.cycle)
    client = client_for(partner.admin)

    visible = [c.pk for c in selectors.visible_cycles(partner.p)]
    cycle_page = client.get(url(partner.p, f"cycles/{world.cycle.pk}/"))
    home = client.get(url(partner.p)).content.decode()

    assert visible == [world.cycle.pk]
    assert cycle_page.status_code == 200
    assert "Cwm private cycle" not in home
    for path in [
        f"cycles/{private.pk}/",
        f"reviews/{private_review.pk}/",
        f"frameworks/{world.version.framework_id}/",
        f"framework-versions/{world.version.pk}/",
        f"reviewers/{world.lead_profile.pk}/edit/",
    ]:
        assert client.get(url(partner.p, path)).status_code == 404, path
    for path in [f"schools/{world.host.pk}/", f"schools/{world.other_school.pk}/"]:
        assert client.get(f"/p/{partner.p.slug}/{path}").status_code == 404, path


def test_a_partner_head_reaches_their_review_in_the_joint_cycle(joint, client_for):
    world, partner, *_ = joint
    _agree(partner, world.cycle)
    services.add_schools(
        actor=partner.admin, cycle=world.cycle, partnership=partner.p, schools=[partner.school]
    )
    review = Review.objects.get(school=partner.school)
    FindingsFactory(partnership=world.p, review=review)

    client = client_for(partner.head)
    page = client.get(url(partner.p, f"reviews/{review.pk}/"))
    findings = client.get(url(partner.p, f"reviews/{review.pk}/findings/"))
    home = client.get(url(partner.p)).content.decode()

    assert page.status_code == 200 and findings.status_code == 200
    assert "Borough Primary" in home
    # The host's own reviews are not the partner head's business.
    assert client.get(url(partner.p, f"reviews/{world.review.pk}/findings/")).status_code == 403


def test_a_joint_team_mixes_reviewers_of_both_partnerships(joint, client_for):
    world, partner, *_ = joint
    _agree(partner, world.cycle)
    profile = ReviewerProfileFactory(
        partnership=partner.p, user=partner.reviewer, school=partner.school
    )

    services.set_team(
        actor=world.admin,
        review=world.review,
        reviewer_ids=[world.lead.pk, partner.reviewer.pk],
        lead_id=world.lead.pk,
    )
    VisitFactory(partnership=world.p, review=world.review)

    response = client_for(partner.reviewer).get(url(partner.p, f"reviews/{world.review.pk}/"))
    assert response.status_code == 200
    assert "Ysgol y Bryn" in response.content.decode()
    assert profile.partnership == partner.p


def test_reviewers_of_a_partnership_that_has_not_agreed_cannot_join_a_team(joint):
    world, partner, *_ = joint
    ReviewerProfileFactory(partnership=partner.p, user=partner.reviewer, school=partner.school)

    with pytest.raises(services.ValidationError) as error:
        services.set_team(
            actor=world.admin,
            review=world.review,
            reviewer_ids=[world.lead.pk, partner.reviewer.pk],
            lead_id=world.lead.pk,
        )
    assert "partnerships taking part" in str(error.value)


def test_a_member_of_a_partnership_not_in_the_cycle_gets_404_everywhere(
    world, client_for, member_factory
):
    from tests.factories import PartnershipFactory

    stranger_p = PartnershipFactory(slug="elsewhere", name="Elsewhere Partnership")
    stranger = member_factory(stranger_p, Role.PARTNERSHIP_ADMIN)
    client = client_for(stranger)

    for path in [
        f"cycles/{world.cycle.pk}/",
        f"reviews/{world.review.pk}/",
        f"reviews/{world.review.pk}/findings/",
        f"reviews/{world.review.pk}/team/",
    ]:
        assert client.get(url(stranger_p, path)).status_code == 404, path


def test_a_partner_schools_report_shows_findings_from_a_joint_cycle_hosted_elsewhere(joint):
    from django.utils import timezone

    from peerreview.models import Findings
    from reports import selectors as report_selectors
    from tests.factories import AreaFindingFactory, FindingsShareFactory

    world, partner, *_ = joint
    _agree(partner, world.cycle)
    services.add_schools(
        actor=partner.admin, cycle=world.cycle, partnership=partner.p, schools=[partner.school]
    )
    review = Review.objects.get(school=partner.school)
    # Rows of the joint cycle belong to the host partnership (world.p).
    findings = FindingsFactory(
        partnership=world.p,
        review=review,
        status=Findings.Status.SUBMITTED,
        submitted_at=timezone.now(),
        summary="Joint cycle summary",
    )
    AreaFindingFactory(partnership=world.p, findings=findings, went_well="Joint strength")

    with tenant_scope(partner.p):
        assert report_selectors.shared_findings_for_governors(partner.school) == []
    share = FindingsShareFactory(partnership=world.p, review=review)
    with tenant_scope(partner.p):
        (shown,) = report_selectors.shared_findings_for_governors(partner.school)
        assert shown.summary == "Joint cycle summary"
        assert [a.went_well for a in shown.areas.all()] == ["Joint strength"]
    share.revoked_at = timezone.now()
    share.save()
    with tenant_scope(partner.p):
        assert report_selectors.shared_findings_for_governors(partner.school) == []
