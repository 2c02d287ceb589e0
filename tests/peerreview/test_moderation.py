"""Moderation: a review confirms or challenges the school's claimed support category, and
the school's challenge adviser records the outcome in the category history."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django_scopes import scopes_disabled

from peerreview import services
from peerreview.models import CategoryModeration, ModerationVerdict
from schools.models import CategoryChange, SupportCategory

from .helpers import url

pytestmark = pytest.mark.django_db


@pytest.fixture
def amber(world):
    world.host.support_category = SupportCategory.AMBER
    world.host.save()
    return world


def challenge(world, suggested=SupportCategory.YELLOW):
    return services.record_moderation(
        actor=world.lead,
        review=world.review,
        verdict=ModerationVerdict.CHALLENGED,
        suggested_category=suggested,
        rationale="Leadership is secure; the school is ready for less support.",
    )


def test_lead_reviewer_challenges_the_claimed_category(amber):
    row = challenge(amber)
    assert (row.claimed_category, row.suggested_category) == ("amber", "yellow")
    assert not row.has_outcome


def test_team_member_who_is_not_the_lead_cannot_record_a_verdict(amber):
    with pytest.raises(PermissionDenied):
        services.record_moderation(
            actor=amber.member,
            review=amber.review,
            verdict=ModerationVerdict.CONFIRMED,
            rationale="Agreed.",
        )


def test_a_challenge_must_suggest_a_different_category(amber):
    with pytest.raises(ValidationError) as error:
        challenge(amber, suggested=SupportCategory.AMBER)
    assert "suggested_category" in error.value.message_dict


def test_a_school_without_a_category_has_nothing_to_moderate(world):
    world.host.support_category = ""
    world.host.save()
    with pytest.raises(ValidationError):
        challenge(world)


def test_outcome_is_a_moderated_entry_in_the_category_history(amber):
    row = challenge(amber)
    services.record_moderation_outcome(
        actor=amber.ca, moderation=row, category="yellow", reason="Agreed with the review."
    )
    with scopes_disabled():
        change = CategoryChange.objects.filter(school=amber.host).latest("set_at", "id")
        row.refresh_from_db()
        amber.host.refresh_from_db()
    assert (change.category, change.previous_category, change.moderated) == (
        "yellow",
        "amber",
        True,
    )
    assert change.set_by == amber.ca
    assert row.category_change == change
    assert (amber.host.support_category, amber.host.category_moderated) == ("yellow", True)


def test_outcome_is_recorded_only_once(amber):
    row = challenge(amber)
    services.record_moderation_outcome(
        actor=amber.ca, moderation=row, category="yellow", reason="Agreed."
    )
    with pytest.raises(ValidationError):
        services.record_moderation_outcome(
            actor=amber.ca, moderation=row, category="green", reason="Again."
        )


def test_verdict_cannot_change_after_the_outcome(amber):
    row = challenge(amber)
    services.record_moderation_outcome(
        actor=amber.ca, moderation=row, category="amber", reason="Kept."
    )
    with pytest.raises(ValidationError):
        challenge(amber, suggested=SupportCategory.GREEN)


def test_lead_reviewer_records_the_verdict_on_the_page(amber, client_for):
    response = client_for(amber.lead).post(
        url(amber.p, f"reviews/{amber.review.pk}/moderation/"),
        {"step": "verdict", "verdict": "confirmed", "rationale": "Matches what we saw."},
        follow=True,
    )
    assert response.status_code == 200
    assert "The review confirms the category" in response.content.decode()


def test_challenge_adviser_records_the_outcome_on_the_page(amber, client_for):
    challenge(amber)
    response = client_for(amber.ca).post(
        url(amber.p, f"reviews/{amber.review.pk}/moderation/"),
        {"step": "outcome", "category": "yellow", "reason": "Agreed with the review."},
    )
    assert response.status_code == 302
    with scopes_disabled():
        assert CategoryModeration.objects.get(review=amber.review).outcome_category == "yellow"


def test_missing_rationale_is_a_form_error_not_a_write(amber, client_for):
    response = client_for(amber.lead).post(
        url(amber.p, f"reviews/{amber.review.pk}/moderation/"),
        {"step": "verdict", "verdict": "confirmed", "rationale": ""},
    )
    assert response.status_code == 400
    with scopes_disabled():
        assert not CategoryModeration.objects.exists()


@pytest.mark.parametrize("who", ["governor", "other_ca", "outside_reviewer", "member"])
def test_others_cannot_record_an_outcome(amber, client_for, who):
    challenge(amber)
    response = client_for(getattr(amber, who)).post(
        url(amber.p, f"reviews/{amber.review.pk}/moderation/"),
        {"step": "outcome", "category": "green", "reason": "No."},
    )
    assert response.status_code in (403, 404)
    with scopes_disabled():
        assert not CategoryModeration.objects.get(review=amber.review).has_outcome
