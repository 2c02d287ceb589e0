"""Findings are confidential: the host headteacher, the review team and those the head
shares them with; every read is logged; the log is append-only and the head reads it."""

from __future__ import annotations

import pytest
from django.utils import timezone

from audit.models import AuditEvent
from peerreview import services
from peerreview.models import AccessBasis, AppendOnlyError, FindingsAccess, FindingsShare
from tests.factories import AreaFindingFactory, FindingsFactory

from .helpers import url

pytestmark = pytest.mark.django_db

SECRET = "Middle leaders do not yet evaluate teaching"


@pytest.fixture
def findings(world):
    findings = FindingsFactory(
        partnership=world.p,
        review=world.review,
        status="submitted",
        submitted_at=timezone.now(),
        submitted_by=world.lead,
    )
    AreaFindingFactory(
        partnership=world.p, findings=findings, area=world.areas[0], even_better_if=SECRET
    )
    return findings


def _read(client_for, world, person):
    return client_for(person).get(url(world.p, f"reviews/{world.review.pk}/findings/"))


ALLOWED = ["head", "lead", "member"]
REFUSED = [
    "governor",
    "ca",
    "other_head",
    "other_governor",
    "admin",
    "senior_ca",
    "other_ca",
    "panel_member",
    "outside_reviewer",
]


@pytest.mark.parametrize("who", ALLOWED)
def test_the_head_and_the_team_read_the_findings(world, findings, client_for, who):
    response = _read(client_for, world, getattr(world, who))

    assert response.status_code == 200
    assert SECRET in response.content.decode()


@pytest.mark.parametrize("who", REFUSED)
def test_nobody_else_reads_unshared_findings(world, findings, client_for, who):
    response = _read(client_for, world, getattr(world, who))

    assert response.status_code == 403
    assert SECRET not in response.content.decode()
    assert not FindingsAccess.objects.exists()


@pytest.mark.parametrize(
    ("audience", "now_allowed", "still_refused"),
    [
        ("ca", ["ca"], ["other_ca", "senior_ca", "governor", "panel_member"]),
        ("governors", ["governor"], ["other_governor", "ca", "panel_member", "admin"]),
        ("panel", ["panel_member"], ["governor", "other_governor", "ca", "admin"]),
    ],
)
def test_sharing_opens_the_findings_to_that_audience_only(
    world, findings, client_for, audience, now_allowed, still_refused
):
    response = client_for(world.head).post(
        url(world.p, f"reviews/{world.review.pk}/sharing/"), {"audience": audience}
    )

    assert response.status_code == 302
    for who in now_allowed:
        assert _read(client_for, world, getattr(world, who)).status_code == 200, who
    for who in still_refused:
        assert _read(client_for, world, getattr(world, who)).status_code == 403, who


def test_a_draft_is_the_teams_until_the_lead_submits_it(world, client_for):
    AreaFindingFactory(
        partnership=world.p,
        findings=FindingsFactory(partnership=world.p, review=world.review),
        area=world.areas[0],
        even_better_if=SECRET,
    )

    head = _read(client_for, world, world.head).content.decode()
    member = _read(client_for, world, world.member).content.decode()

    assert SECRET not in head and "has not submitted its findings yet" in head
    assert SECRET in member
    assert list(FindingsAccess.objects.values_list("user", flat=True)) == [world.member.pk]


def test_a_share_with_the_ca_is_with_the_person_who_was_ca_then(world, findings, member_factory):
    share = services.share_findings(actor=world.head, review=world.review, audience="ca")

    assert share.user == world.ca


def test_a_school_without_a_ca_cannot_share_with_one(world, findings, client_for):
    world.host.challenge_adviser = None
    world.host.save()

    response = client_for(world.head).post(
        url(world.p, f"reviews/{world.review.pk}/sharing/"), {"audience": "ca"}
    )

    assert response.status_code == 400
    assert "no challenge adviser" in response.content.decode()
    assert not FindingsShare.objects.exists()


def test_stopping_a_share_closes_the_findings_again(world, findings, client_for):
    share = services.share_findings(actor=world.head, review=world.review, audience="governors")

    response = client_for(world.head).post(url(world.p, f"shares/{share.pk}/revoke/"))

    assert response.status_code == 302
    assert _read(client_for, world, world.governor).status_code == 403
    share.refresh_from_db()
    assert share.revoked_by == world.head


def test_only_the_head_shares_or_stops_sharing(world, findings, client_for):
    share = services.share_findings(actor=world.head, review=world.review, audience="governors")

    for person in (world.lead, world.governor, world.admin, world.ca, world.other_head):
        client = client_for(person)
        response = client.post(
            url(world.p, f"reviews/{world.review.pk}/sharing/"), {"audience": "panel"}
        )
        assert response.status_code == 403
        assert client.post(url(world.p, f"shares/{share.pk}/revoke/")).status_code == 403
    assert list(FindingsShare.objects.values_list("audience", "revoked_at")) == [
        ("governors", None)
    ]


def test_sharing_twice_keeps_one_share(world, findings):
    first = services.share_findings(actor=world.head, review=world.review, audience="panel")
    second = services.share_findings(actor=world.head, review=world.review, audience="panel")

    assert first.pk == second.pk


def test_every_read_is_logged_with_who_and_why(world, findings, client_for):
    services.share_findings(actor=world.head, review=world.review, audience="governors")
    for person in (world.lead, world.governor, world.head):
        _read(client_for, world, person)

    log = list(FindingsAccess.objects.order_by("pk").values_list("user", "basis", "action"))
    assert log == [
        (world.lead.pk, AccessBasis.TEAM, "viewed"),
        (world.governor.pk, AccessBasis.SHARED_GOVERNORS, "viewed"),
        (world.head.pk, AccessBasis.HEADTEACHER, "viewed"),
    ]


def test_the_head_reads_the_access_log_and_nobody_else_does(world, findings, client_for):
    _read(client_for, world, world.lead)

    page = client_for(world.head).get(url(world.p, f"reviews/{world.review.pk}/access-log/"))

    assert page.status_code == 200
    assert world.lead.email in page.content.decode()
    assert "Member of the review team" in page.content.decode()
    for person in (world.lead, world.member, world.governor, world.admin, world.ca):
        response = client_for(person).get(url(world.p, f"reviews/{world.review.pk}/access-log/"))
        assert response.status_code == 403


def test_the_access_log_is_append_only(world, findings, client_for):
    _read(client_for, world, world.lead)
    entry = FindingsAccess.objects.get()

    entry.basis = AccessBasis.HEADTEACHER
    with pytest.raises(AppendOnlyError):
        entry.save()
    with pytest.raises(AppendOnlyError):
        entry.delete()
    with pytest.raises(AppendOnlyError):
        FindingsAccess.objects.filter(pk=entry.pk).update(basis=AccessBasis.HEADTEACHER)
    with pytest.raises(AppendOnlyError):
        FindingsAccess.objects.filter(pk=entry.pk).delete()
    assert FindingsAccess.objects.get().basis == AccessBasis.TEAM


def test_the_review_page_shows_people_who_may_not_read_findings_no_link_to_them(
    world, findings, client_for
):
    page = client_for(world.admin).get(url(world.p, f"reviews/{world.review.pk}/"))

    html = page.content.decode()
    assert page.status_code == 200
    assert "Read findings" not in html
    assert SECRET not in html


def test_people_with_no_part_in_the_review_do_not_see_its_page(world, findings, client_for):
    for person in (world.other_head, world.other_governor, world.outside_reviewer, world.governor):
        response = client_for(person).get(url(world.p, f"reviews/{world.review.pk}/"))
        assert response.status_code == 403


def test_shared_findings_are_listed_for_the_people_they_are_shared_with(
    world, findings, client_for
):
    services.share_findings(actor=world.head, review=world.review, audience="governors")

    mine = client_for(world.governor).get(url(world.p)).content.decode()
    theirs = client_for(world.other_governor).get(url(world.p)).content.decode()

    assert "Findings shared with you" in mine and "Ysgol y Bryn" in mine
    assert "Ysgol y Bryn" not in theirs


def test_every_read_of_the_findings_is_in_the_partnerships_audit_trail(world, findings, client_for):
    _read(client_for, world, world.lead)
    _read(client_for, world, world.head)

    events = AuditEvent.objects.filter(action="peerreview.findings_viewed").order_by("pk")
    assert [e.actor for e in events] == [world.lead, world.head]
    assert {(e.target_type, e.target_id) for e in events} == {
        ("peerreview.review", str(world.review.pk))
    }
    assert all(e.partnership_id == world.p.pk for e in events)
