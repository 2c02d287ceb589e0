"""Brokerage writes and the reads that rank them: rules, bad input, emails."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from brokerage import selectors, services
from brokerage.models import (
    CategoryOverride,
    DeliverySession,
    Funding,
    Need,
    NeedDecline,
    Offer,
    SupportAgreement,
    current_academic_year,
)
from partnership.models import OutboundEmail, Role
from schools.models import SupportCategory
from tests.factories import (
    AgreementOutcomeFactory,
    AreaFactory,
    LocalAuthorityFactory,
    OfferFactory,
    SchoolFactory,
    SupportAgreementFactory,
)

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate()


def agree(ca, need, offer, **overrides):
    values = {
        "days": Decimal("3"),
        "starts_on": TODAY,
        "ends_on": TODAY + timedelta(days=60),
        "objectives": "Two coaching cycles.",
        "funding": Funding.FREE,
    }
    return services.make_agreement(actor=ca, need=need, offer=offer, **{**values, **overrides})


def need_fields(area, **overrides):
    return {
        "area": area,
        "title": "Maths leadership",
        "description": "A new maths lead needs support.",
        "outcome": "A maths action plan in place.",
        "urgency": "high",
        "preferred_language": "welsh",
        "timeframe": "this_term",
        "days_wanted": Decimal("3"),
        **overrides,
    }


def offer_fields(area, **overrides):
    return {
        "area": area,
        "title": "Maths coaching",
        "description": "Our maths lead coaches.",
        "academic_year": current_academic_year(),
        "days_available": Decimal("5"),
        "is_charged": False,
        "language": "welsh",
        "evidence": "Strong outcomes.",
        "contact_name": "Alun",
        **overrides,
    }


def refreshed(obj):
    obj.refresh_from_db()
    return obj


# --- Needs -----------------------------------------------------------------------------------


def test_a_logged_need_starts_open(partnership, red_school, area, head):
    need = services.create_need(
        actor=head, partnership=partnership, school=red_school, **need_fields(area)
    )

    assert need.status == Need.Status.OPEN
    assert need.raised_by == head


def test_a_need_in_another_partnerships_area_is_refused(
    partnership, other_partnership, red_school, head
):
    foreign_area = AreaFactory(partnership=other_partnership)

    with pytest.raises(ValidationError) as error:
        services.create_need(
            actor=head, partnership=partnership, school=red_school, **need_fields(foreign_area)
        )

    assert "area" in error.value.error_dict
    assert not Need.objects.exists()


@pytest.mark.parametrize("days", [Decimal("0"), Decimal("-2"), "lots"])
def test_a_need_with_zero_or_negative_days_wanted_is_refused(
    partnership, red_school, area, head, days
):
    with pytest.raises(ValidationError) as error:
        services.create_need(
            actor=head,
            partnership=partnership,
            school=red_school,
            **need_fields(area, days_wanted=days),
        )

    assert "days_wanted" in error.value.error_dict
    assert not Need.objects.exists()


def test_an_open_need_can_be_changed(need, head, area):
    services.update_need(actor=head, need=need, **need_fields(area, title="Reading for boys"))

    assert refreshed(need).title == "Reading for boys"


def test_a_brokered_need_cannot_be_changed(need, head, area, ca, offer):
    agree(ca, need, offer)

    with pytest.raises(ValidationError):
        services.update_need(actor=head, need=need, **need_fields(area, title="Changed"))

    assert refreshed(need).title == "Guided reading in KS2"


def test_an_open_need_can_be_withdrawn(need, head):
    services.withdraw_need(actor=head, need=need)

    assert refreshed(need).status == Need.Status.WITHDRAWN


def test_a_brokered_need_cannot_be_withdrawn(need, head, ca, offer):
    agree(ca, need, offer)

    with pytest.raises(ValidationError):
        services.withdraw_need(actor=head, need=need)

    assert refreshed(need).status == Need.Status.BROKERED


# --- Offers ---------------------------------------------------------------------------------


def test_a_new_offer_has_all_its_days_left(partnership, green_school, area, provider_head):
    offer = services.create_offer(
        actor=provider_head, partnership=partnership, school=green_school, **offer_fields(area)
    )

    assert offer.capacity_left == Decimal("5")


@pytest.mark.parametrize("days", [Decimal("0"), Decimal("-1"), None])
def test_an_offer_of_zero_or_negative_days_is_refused(
    partnership, green_school, area, provider_head, days
):
    with pytest.raises(ValidationError) as error:
        services.create_offer(
            actor=provider_head,
            partnership=partnership,
            school=green_school,
            **offer_fields(area, days_available=days),
        )

    assert "days_available" in error.value.error_dict
    assert not Offer.objects.exists()


def test_a_charged_offer_needs_a_day_rate(partnership, green_school, area, provider_head):
    with pytest.raises(ValidationError) as error:
        services.create_offer(
            actor=provider_head,
            partnership=partnership,
            school=green_school,
            **offer_fields(area, is_charged=True, day_rate=None),
        )

    assert "day_rate" in error.value.error_dict


def test_an_offer_cannot_drop_below_the_days_already_committed(
    need, offer, ca, provider_head, area
):
    agree(ca, need, offer, days=Decimal("6"))

    with pytest.raises(ValidationError) as error:
        services.update_offer(
            actor=provider_head, offer=offer, **offer_fields(area, days_available=Decimal("5"))
        )

    assert "days_available" in error.value.error_dict
    assert refreshed(offer).days_available == Decimal("10")


def test_the_database_refuses_capacity_below_zero(offer):
    with pytest.raises(IntegrityError), transaction.atomic():
        Offer.objects.filter(pk=offer.pk).update(days_committed=Decimal("10.5"))


def test_the_database_refuses_zero_days_on_offer(partnership, green_school, area):
    with pytest.raises(IntegrityError), transaction.atomic():
        OfferFactory(partnership=partnership, school=green_school, days_available=Decimal("0"))


# --- Making an agreement ----------------------------------------------------------------


def test_an_agreement_draws_its_days_from_the_offer(need, offer, ca):
    agree(ca, need, offer, days=Decimal("3.5"))

    assert refreshed(offer).capacity_left == Decimal("6.5")


def test_an_agreement_brokers_the_need(need, offer, ca):
    agreement = agree(ca, need, offer)

    assert refreshed(need).status == Need.Status.BROKERED
    assert agreement.status == SupportAgreement.Status.PROPOSED
    assert agreement.provider == offer.school
    assert agreement.receiving_school == need.school


def test_an_agreement_emails_both_headteachers_once_each(
    need, offer, ca, head, provider_head, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        agreement = agree(ca, need, offer)

    assert sorted(m.to[0] for m in mail.outbox) == sorted([head.email, provider_head.email])
    keys = set(OutboundEmail.objects.values_list("key", flat=True))
    assert keys == {
        f"brokerage:agreement:{agreement.pk}:made:{head.pk}",
        f"brokerage:agreement:{agreement.pk}:made:{provider_head.pk}",
    }
    assert f"/p/cwm/brokerage/agreements/{agreement.pk}/" in mail.outbox[0].body


def test_emailing_an_agreement_again_sends_nothing_new(
    need, offer, ca, head, provider_head, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        agreement = agree(ca, need, offer)
    with django_capture_on_commit_callbacks(execute=True):
        services._email_headteachers(agreement, event="made")

    assert len(mail.outbox) == 2
    assert OutboundEmail.objects.count() == 2


def test_an_offer_that_does_not_cover_the_needs_area_is_refused(
    partnership, need, ca, other_area, green_school
):
    elsewhere = OfferFactory(partnership=partnership, school=green_school, area=other_area)

    with pytest.raises(ValidationError) as error:
        agree(ca, need, elsewhere)

    assert "offer" in error.value.error_dict
    assert not SupportAgreement.objects.exists()
    assert refreshed(need).status == Need.Status.OPEN


def test_an_offer_that_also_covers_the_needs_area_can_be_agreed(
    partnership, need, ca, other_area, area, green_school
):
    also = OfferFactory(
        partnership=partnership, school=green_school, area=other_area, other_areas=[area]
    )

    assert agree(ca, need, also).offer == also


def test_more_days_than_capacity_are_refused_and_nothing_is_written(need, offer, ca):
    with pytest.raises(ValidationError) as error:
        agree(ca, need, offer, days=Decimal("10.5"))

    assert "days" in error.value.error_dict
    assert not SupportAgreement.objects.exists()
    assert refreshed(offer).days_committed == 0
    assert refreshed(need).status == Need.Status.OPEN


@pytest.mark.parametrize("days", [Decimal("0"), Decimal("-1"), "", "abc"])
def test_zero_or_negative_days_are_refused(need, offer, ca, days):
    with pytest.raises(ValidationError) as error:
        agree(ca, need, offer, days=days)

    assert "days" in error.value.error_dict
    assert not SupportAgreement.objects.exists()


def test_dates_out_of_order_are_refused(need, offer, ca):
    with pytest.raises(ValidationError) as error:
        agree(ca, need, offer, starts_on=TODAY, ends_on=TODAY - timedelta(days=1))

    assert "ends_on" in error.value.error_dict
    assert not SupportAgreement.objects.exists()


def test_a_school_cannot_make_an_agreement_with_itself(partnership, need, ca, area):
    own_offer = OfferFactory(partnership=partnership, school=need.school, area=area)

    with pytest.raises(ValidationError, match="cannot support itself"):
        agree(ca, need, own_offer)

    assert not SupportAgreement.objects.exists()
    assert refreshed(own_offer).days_committed == 0


def test_an_offer_of_another_partnership_is_refused(need, ca, other_partnership):
    foreign = OfferFactory(partnership=other_partnership)

    with pytest.raises(ValidationError):
        agree(ca, need, foreign)

    assert not SupportAgreement.objects.exists()


def test_a_need_can_be_brokered_only_once_at_a_time(partnership, need, offer, ca, area):
    agree(ca, need, offer)
    second = OfferFactory(partnership=partnership, area=area)

    with pytest.raises(ValidationError, match="no longer open"):
        agree(ca, need, second)

    assert SupportAgreement.objects.count() == 1
    assert refreshed(second).days_committed == 0


def test_a_red_schools_need_is_not_brokered_to_an_amber_provider_without_override(
    partnership, need, ca, area
):
    amber = SchoolFactory(partnership=partnership, support_category=SupportCategory.AMBER)
    amber_offer = OfferFactory(partnership=partnership, school=amber, area=area)

    with pytest.raises(ValidationError, match="override"):
        agree(ca, need, amber_offer)

    assert not SupportAgreement.objects.exists()


def test_an_override_with_a_reason_allows_the_match_and_is_recorded(partnership, need, ca, area):
    amber = SchoolFactory(partnership=partnership, support_category=SupportCategory.AMBER)
    amber_offer = OfferFactory(partnership=partnership, school=amber, area=area)

    override = services.record_override(
        actor=ca, need=need, provider=amber, reason="Only Welsh-medium expert nearby."
    )
    agreement = agree(ca, need, amber_offer)

    assert agreement.override == override
    assert override.created_by == ca
    assert override.reason == "Only Welsh-medium expert nearby."


def test_an_override_needs_a_reason(partnership, need, ca):
    amber = SchoolFactory(partnership=partnership, support_category=SupportCategory.AMBER)

    with pytest.raises(ValidationError) as error:
        services.record_override(actor=ca, need=need, provider=amber, reason="  ")

    assert "reason" in error.value.error_dict
    assert not CategoryOverride.objects.exists()


def test_no_override_is_recorded_when_the_rule_already_allows_the_provider(need, ca, green_school):
    with pytest.raises(ValidationError, match="No override is needed"):
        services.record_override(actor=ca, need=need, provider=green_school, reason="Because")

    assert not CategoryOverride.objects.exists()


def test_a_provider_that_declined_cannot_be_brokered(need, offer, ca, green_school):
    services.record_decline(actor=ca, need=need, provider=green_school, reason="No capacity.")

    with pytest.raises(ValidationError, match="declined"):
        agree(ca, need, offer)


def test_a_decline_needs_a_reason(need, ca, green_school):
    with pytest.raises(ValidationError):
        services.record_decline(actor=ca, need=need, provider=green_school, reason="")

    assert not NeedDecline.objects.exists()


# --- Confirming, declining, delivering, closing --------------------------------------------


def test_one_confirmation_keeps_the_agreement_waiting(need, offer, ca, head):
    agreement = agree(ca, need, offer)

    services.confirm_agreement(actor=head, agreement=agreement)

    assert refreshed(agreement).status == SupportAgreement.Status.PROPOSED
    assert agreement.receiver_confirmed_by == head
    assert refreshed(need).status == Need.Status.BROKERED


def test_both_confirmations_put_the_agreement_and_need_in_progress(
    need, offer, ca, head, provider_head
):
    agreement = agree(ca, need, offer)

    services.confirm_agreement(actor=head, agreement=agreement)
    services.confirm_agreement(actor=provider_head, agreement=agreement)

    assert refreshed(agreement).status == SupportAgreement.Status.ACTIVE
    assert refreshed(need).status == Need.Status.IN_PROGRESS


def test_only_the_schools_headteachers_can_confirm(need, offer, ca):
    agreement = agree(ca, need, offer)

    with pytest.raises(ValidationError):
        services.confirm_agreement(actor=ca, agreement=agreement)

    assert refreshed(agreement).receiver_confirmed_at is None


def test_declining_returns_the_days_and_reopens_the_need(need, offer, ca, provider_head):
    agreement = agree(ca, need, offer, days=Decimal("4"))

    services.decline_agreement(actor=provider_head, agreement=agreement, reason="Staff illness.")

    assert refreshed(agreement).status == SupportAgreement.Status.DECLINED
    assert refreshed(offer).capacity_left == Decimal("10")
    assert refreshed(need).status == Need.Status.OPEN
    decline = NeedDecline.objects.get()
    assert (decline.provider, decline.reason) == (offer.school, "Staff illness.")


def test_a_declined_provider_is_no_longer_suggested_for_that_need(
    need, offer, ca, provider_head, partnership, area
):
    other = OfferFactory(partnership=partnership, area=area)
    agreement = agree(ca, need, offer)
    services.decline_agreement(actor=provider_head, agreement=agreement, reason="No cover.")

    suggested = [s.key for s in selectors.match_suggestions(refreshed(need)).suggestions]

    assert suggested == [other]


def test_declining_tells_the_adviser(
    need, offer, ca, provider_head, django_capture_on_commit_callbacks
):
    agreement = agree(ca, need, offer)
    mail.outbox.clear()

    with django_capture_on_commit_callbacks(execute=True):
        services.decline_agreement(actor=provider_head, agreement=agreement, reason="No cover.")

    assert [m.to[0] for m in mail.outbox] == [ca.email]
    assert "No cover." in mail.outbox[0].body


def test_a_decline_without_reason_changes_nothing(need, offer, ca, provider_head):
    agreement = agree(ca, need, offer)

    with pytest.raises(ValidationError):
        services.decline_agreement(actor=provider_head, agreement=agreement, reason=" ")

    assert refreshed(agreement).status == SupportAgreement.Status.PROPOSED
    assert refreshed(offer).days_committed == Decimal("3")


def test_the_first_session_puts_the_need_in_progress(need, offer, ca, provider_head):
    agreement = agree(ca, need, offer)

    services.log_session(
        actor=provider_head, agreement=agreement, date=TODAY, days=Decimal("1"), notes="Visit 1"
    )

    assert refreshed(agreement).status == SupportAgreement.Status.ACTIVE
    assert refreshed(need).status == Need.Status.IN_PROGRESS


def test_sessions_cannot_deliver_more_than_the_agreed_days(need, offer, ca, provider_head):
    agreement = agree(ca, need, offer, days=Decimal("2"))
    services.log_session(actor=provider_head, agreement=agreement, date=TODAY, days=Decimal("1.5"))

    with pytest.raises(ValidationError) as error:
        services.log_session(actor=provider_head, agreement=agreement, date=TODAY, days=1)

    assert "days" in error.value.error_dict
    assert DeliverySession.objects.count() == 1


@pytest.mark.parametrize(
    ("field", "date", "days"),
    [
        ("days", TODAY, Decimal("0")),
        ("days", TODAY, Decimal("-1")),
        ("date", TODAY + timedelta(days=1), Decimal("1")),
        ("date", TODAY - timedelta(days=1), Decimal("1")),
    ],
)
def test_bad_sessions_are_refused(need, offer, ca, provider_head, field, date, days):
    agreement = agree(ca, need, offer)

    with pytest.raises(ValidationError) as error:
        services.log_session(actor=provider_head, agreement=agreement, date=date, days=days)

    assert field in error.value.error_dict
    assert not DeliverySession.objects.exists()


def test_closing_records_the_outcome_meets_the_need_and_returns_undelivered_days(
    need, offer, ca, provider_head
):
    agreement = agree(ca, need, offer, days=Decimal("4"))
    services.log_session(actor=provider_head, agreement=agreement, date=TODAY, days=Decimal("3"))

    outcome = services.close_agreement(
        actor=ca, agreement=agreement, objectives_met="yes", rating=4, evidence="Scores up."
    )

    assert outcome.rating == 4
    assert refreshed(agreement).status == SupportAgreement.Status.CLOSED
    assert refreshed(need).status == Need.Status.MET
    assert refreshed(offer).days_committed == Decimal("3")


@pytest.mark.parametrize("rating", [0, 5, "x", None])
def test_a_rating_outside_one_to_four_is_refused(need, offer, ca, provider_head, rating):
    agreement = agree(ca, need, offer)
    services.log_session(actor=provider_head, agreement=agreement, date=TODAY, days=1)

    with pytest.raises(ValidationError) as error:
        services.close_agreement(
            actor=ca, agreement=agreement, objectives_met="yes", rating=rating, evidence="E"
        )

    assert "rating" in error.value.error_dict
    assert refreshed(agreement).status == SupportAgreement.Status.ACTIVE


def test_an_agreement_not_yet_started_cannot_be_closed(need, offer, ca):
    agreement = agree(ca, need, offer)

    with pytest.raises(ValidationError):
        services.close_agreement(
            actor=ca, agreement=agreement, objectives_met="yes", rating=3, evidence="E"
        )


# --- Suggestions read from the database ----------------------------------------------------


def test_suggestions_show_past_impact_and_current_load_of_the_provider(
    partnership, need, offer, green_school
):
    AgreementOutcomeFactory(partnership=partnership, agreement__offer=offer, rating=4)
    SupportAgreementFactory(partnership=partnership, offer=offer)

    suggestion = selectors.match_suggestions(need).suggestions[0]

    assert suggestion.score.part("impact").value == 1.0
    assert suggestion.score.part("load").value == 0.5


def test_suggestions_rank_a_neighbouring_authority_above_a_distant_one(
    partnership, need, area, county
):
    neighbour = LocalAuthorityFactory(partnership=partnership, name="Ceredigion")
    distant = LocalAuthorityFactory(partnership=partnership, name="Wrecsam")
    county.neighbours.add(neighbour)
    far = OfferFactory(
        partnership=partnership, area=area, school__local_authority=distant, school__name="Pell"
    )
    near = OfferFactory(
        partnership=partnership, area=area, school__local_authority=neighbour, school__name="Agos"
    )

    ranking = selectors.match_suggestions(need)

    assert [s.key for s in ranking.suggestions] == [near, far]
    assert ranking.suggestions[0].score.part("locality").value == 0.5


def test_suggestions_include_offers_that_also_cover_the_area(partnership, need, other_area, area):
    also = OfferFactory(partnership=partnership, area=other_area, other_areas=[area])
    OfferFactory(partnership=partnership, area=other_area)

    suggestion = selectors.match_suggestions(need).suggestions

    assert [s.key for s in suggestion] == [also]
    assert suggestion[0].score.part("area").value == 0.6


def test_suggestions_leave_out_withdrawn_full_and_past_offers(partnership, need, area, offer):
    OfferFactory(partnership=partnership, area=area, status=Offer.Status.WITHDRAWN)
    OfferFactory(partnership=partnership, area=area, academic_year="2001/02")
    full = OfferFactory(partnership=partnership, area=area, days_available=Decimal("2"))
    SupportAgreementFactory(partnership=partnership, offer=full, days=Decimal("2"))

    assert [s.key for s in selectors.match_suggestions(need).suggestions] == [offer]


def test_suggestions_hold_back_an_amber_provider_for_a_red_need(partnership, need, area, offer):
    amber_offer = OfferFactory(
        partnership=partnership, area=area, school__support_category=SupportCategory.AMBER
    )

    ranking = selectors.match_suggestions(need)

    assert [s.key for s in ranking.suggestions] == [offer]
    assert [s.key for s in ranking.held_back] == [amber_offer]


# --- Reminders ---------------------------------------------------------------------------------


def test_reminders_go_once_to_headteachers_who_have_not_confirmed(
    partnership, need, offer, ca, head, provider_head, django_capture_on_commit_callbacks
):
    agreement = agree(ca, need, offer)
    services.confirm_agreement(actor=provider_head, agreement=agreement)
    SupportAgreement.objects.filter(pk=agreement.pk).update(
        created_at=timezone.now() - timedelta(days=8)
    )
    mail.outbox.clear()

    with django_capture_on_commit_callbacks(execute=True):
        services.remind_unconfirmed(partnership=partnership)
        services.remind_unconfirmed(partnership=partnership)

    assert [m.to[0] for m in mail.outbox] == [head.email]


def test_governors_get_no_agreement_email(
    partnership, need, offer, ca, member_factory, django_capture_on_commit_callbacks
):
    member_factory(partnership, Role.GOVERNOR, school=need.school, email="gov@example.org")

    with django_capture_on_commit_callbacks(execute=True):
        agree(ca, need, offer)

    assert "gov@example.org" not in [m.to[0] for m in mail.outbox]
