"""Commissioning: calls, bids (late ones refused), scoring, the award and what it creates."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from hubs import services
from hubs.models import (
    Award,
    Bid,
    BidStatus,
    Call,
    CallCriterion,
    CallStatus,
    Hub,
    HubStatus,
    Programme,
    ProgrammeStatus,
    ServiceLevelAgreement,
)
from partnership.models import Membership, Role
from tests.factories import BidFactory, CallCriterionFactory, CallFactory, SchoolFactory

pytestmark = pytest.mark.django_db

PAST = timedelta(days=-1)


def bid_data(**overrides):
    data = {
        "proposal": "Six twilight sessions led by our phonics lead.",
        "delivery_plan": "Autumn training, spring coaching, summer review.",
        "cost": Decimal("15000"),
        "capacity": 24,
        "delivery_language": "bilingual",
    }
    return data | overrides


@pytest.fixture
def call(partnership, area):
    call = CallFactory(partnership=partnership, area=area, budget=Decimal("20000"))
    CallCriterionFactory(partnership=partnership, call=call, title="Impact", weight=60, position=0)
    CallCriterionFactory(partnership=partnership, call=call, title="Value", weight=40, position=1)
    return call


def close(call):
    Call.objects.filter(pk=call.pk).update(deadline=timezone.now() + PAST)
    call.refresh_from_db()


def score_all(call, actor, values, feedback="Clear plan; thin evidence of impact."):
    criteria = list(call.criteria.all())
    return {
        bid: services.score_bid(
            actor=actor,
            bid=bid,
            scores={c.pk: (v, "") for c, v in zip(criteria, values[bid], strict=True)},
            feedback=feedback,
        )
        for bid in values
    }


# --- Calls --------------------------------------------------------------------------------


def test_admin_saves_a_draft_call_with_weighted_criteria(partnership, area, admin_user):
    call = services.save_call(
        actor=admin_user,
        partnership=partnership,
        title="Early reading",
        area=area,
        need="Early reading is the first need of 14 primaries.",
        brief="A phonics programme for reception and year 1.",
        budget=Decimal("20000"),
        deadline=timezone.now() + timedelta(days=21),
        criteria=[services.CriterionInput("Impact", 60), services.CriterionInput("Value", 40)],
    )

    assert call.status == CallStatus.DRAFT
    assert list(call.criteria.values_list("title", "weight")) == [("Impact", 60), ("Value", 40)]


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"budget": Decimal("-1")}, "cannot be negative"),
        ({"deadline": timezone.now() - timedelta(hours=1)}, "must be in the future"),
        ({"criteria": []}, "at least one criterion"),
        ({"criteria": [services.CriterionInput("Impact", 0)]}, "weight from 1 to 100"),
    ],
)
def test_a_call_with_bad_input_is_refused_and_nothing_written(
    partnership, area, admin_user, overrides, message
):
    data = {
        "title": "Early reading",
        "area": area,
        "need": "Need",
        "brief": "Brief",
        "budget": Decimal("20000"),
        "deadline": timezone.now() + timedelta(days=21),
        "criteria": [services.CriterionInput("Impact", 60)],
    } | overrides

    with pytest.raises(ValidationError) as error:
        services.save_call(actor=admin_user, partnership=partnership, **data)

    assert message in str(error.value)
    assert not Call.objects.exists()


def test_an_open_call_cannot_be_changed(call, admin_user):
    with pytest.raises(ValidationError):
        services.save_call(
            actor=admin_user,
            partnership=call.partnership,
            call=call,
            title="Changed",
            area=call.area,
            need="n",
            brief="b",
            budget=Decimal("1"),
            deadline=call.deadline,
            criteria=[services.CriterionInput("Only price", 100)],
        )

    assert CallCriterion.objects.filter(call=call).count() == 2


def test_opening_a_call_emails_every_headteacher_once(
    partnership, area, admin_user, headteacher, other_headteacher
):
    call = CallFactory(partnership=partnership, area=area, status=CallStatus.DRAFT)
    CallCriterionFactory(partnership=partnership, call=call)

    services.open_call(actor=admin_user, call=call)

    from partnership.models import OutboundEmail

    recipients = sorted(OutboundEmail.objects.values_list("to", flat=True))
    assert recipients == sorted([headteacher.email, other_headteacher.email])
    call.refresh_from_db()
    assert call.status == CallStatus.OPEN


# --- Bids --------------------------------------------------------------------------------


def test_any_school_may_bid_before_the_deadline(call, school, headteacher):
    bid = services.submit_bid(actor=headteacher, call=call, school=school, **bid_data())

    assert bid.status == BidStatus.SUBMITTED
    assert bid.submitted_by == headteacher


def test_a_late_bid_is_refused_and_nothing_written(call, school, headteacher):
    close(call)

    with pytest.raises(ValidationError) as error:
        services.submit_bid(actor=headteacher, call=call, school=school, **bid_data())

    assert "Late bids cannot be accepted" in str(error.value)
    assert not Bid.objects.exists()


def test_a_late_bid_through_the_page_shows_the_reason(client_for, call, school, headteacher):
    close(call)

    response = client_for(headteacher).post(
        f"/p/cwm/calls/{call.pk}/bid/", {"school": school.pk, **bid_data()}
    )

    assert response.status_code == 200
    assert "Late bids cannot be accepted" in response.content.decode()
    assert not Bid.objects.exists()


def test_a_bid_costing_more_than_the_budget_is_refused(call, school, headteacher):
    with pytest.raises(ValidationError) as error:
        services.submit_bid(
            actor=headteacher, call=call, school=school, **bid_data(cost=Decimal("20000.01"))
        )

    assert "more than the budget" in str(error.value)
    assert not Bid.objects.exists()


def test_a_negative_cost_is_refused_on_the_form(client_for, call, school, headteacher):
    response = client_for(headteacher).post(
        f"/p/cwm/calls/{call.pk}/bid/", {"school": school.pk, **bid_data(cost="-5")}
    )

    assert "The amount cannot be negative." in response.content.decode()
    assert not Bid.objects.exists()


def test_bidding_again_before_the_deadline_changes_the_one_bid(call, school, headteacher):
    services.submit_bid(actor=headteacher, call=call, school=school, **bid_data())

    services.submit_bid(
        actor=headteacher, call=call, school=school, **bid_data(cost=Decimal("12000"))
    )

    assert list(Bid.objects.values_list("cost", flat=True)) == [Decimal("12000.00")]


def test_a_headteacher_cannot_bid_for_another_school(client_for, call, other_school, headteacher):
    response = client_for(headteacher).post(
        f"/p/cwm/calls/{call.pk}/bid/", {"school": other_school.pk, **bid_data()}
    )

    assert response.status_code == 200  # the school is not among the choices offered
    assert "Select a valid choice" in response.content.decode()
    assert not Bid.objects.exists()


# --- Scoring -------------------------------------------------------------------------------


def test_scores_are_weighted_by_the_published_criteria(call, school, admin_user):
    bid = BidFactory(partnership=call.partnership, call=call, school=school)
    close(call)

    score_all(call, admin_user, {bid: [5, 0]})

    bid.refresh_from_db()
    assert bid.score_percent == Decimal("60.0")  # 60 of 100 weight scored full marks


def test_bids_are_not_scored_before_the_deadline(call, school, admin_user):
    bid = BidFactory(partnership=call.partnership, call=call, school=school)

    with pytest.raises(ValidationError):
        score_all(call, admin_user, {bid: [3, 3]})

    bid.refresh_from_db()
    assert bid.score_percent is None


def test_every_criterion_must_be_scored(call, school, admin_user):
    bid = BidFactory(partnership=call.partnership, call=call, school=school)
    close(call)
    first = call.criteria.first()

    with pytest.raises(ValidationError) as error:
        services.score_bid(actor=admin_user, bid=bid, scores={first.pk: (4, "")}, feedback="f")

    assert "Value" in str(error.value)
    assert not bid.scores.exists()


# --- The award -------------------------------------------------------------------------------


@pytest.fixture
def scored(call, school, other_school, admin_user, headteacher, other_headteacher):
    winner = BidFactory(
        partnership=call.partnership,
        call=call,
        school=school,
        capacity=30,
        submitted_by=headteacher,
    )
    loser = BidFactory(
        partnership=call.partnership, call=call, school=other_school, submitted_by=other_headteacher
    )
    close(call)
    score_all(call, admin_user, {winner: [5, 4], loser: [2, 3]})
    return winner, loser


def award(call, bid, actor):
    today = timezone.localdate()
    return services.award_call(
        actor=actor,
        call=call,
        bid=bid,
        reasons="Strongest evidence of impact.",
        starts_on=today,
        ends_on=today + timedelta(days=365),
    )


def test_award_creates_the_hub_designation_and_a_draft_programme(call, scored, admin_user):
    winner, _loser = scored

    result = award(call, winner, admin_user)

    hub = Hub.objects.get(pk=result.hub_id)
    assert list(hub.schools.all()) == [winner.school]
    assert hub.area == call.area and hub.status == HubStatus.DESIGNATED
    agreement = ServiceLevelAgreement.objects.get(hub=hub)
    assert agreement.funding == winner.cost
    programme = Programme.objects.get(hub=hub)
    assert programme.status == ProgrammeStatus.DRAFT
    assert programme.places == winner.capacity
    assert programme.delivery_language == winner.delivery_language


def test_award_records_outcomes_and_makes_the_bidder_hub_lead(call, scored, admin_user):
    winner, loser = scored

    award(call, winner, admin_user)

    winner.refresh_from_db()
    loser.refresh_from_db()
    call.refresh_from_db()
    assert (winner.status, loser.status) == (BidStatus.SUCCESSFUL, BidStatus.UNSUCCESSFUL)
    assert call.status == CallStatus.AWARDED
    assert Membership.objects.filter(
        user=winner.submitted_by, role=Role.HUB_LEAD, school=winner.school
    ).exists()


def test_award_renews_the_winners_existing_hub_for_the_area(call, hub, hub_school, admin_user):
    bid = BidFactory(partnership=call.partnership, call=call, school=hub_school)
    close(call)
    score_all(call, admin_user, {bid: [4, 4]})

    result = award(call, bid, admin_user)

    assert result.hub == hub and result.renewed
    assert Hub.objects.count() == 1
    assert hub.agreements.count() == 2


def test_a_call_is_not_awarded_until_every_bid_is_scored(call, school, other_school, admin_user):
    scored_bid = BidFactory(partnership=call.partnership, call=call, school=school)
    BidFactory(partnership=call.partnership, call=call, school=other_school)
    close(call)
    score_all(call, admin_user, {scored_bid: [5, 5]})

    with pytest.raises(ValidationError) as error:
        award(call, scored_bid, admin_user)

    assert "Score every bid" in str(error.value)
    assert not Award.objects.exists()
    assert not Hub.objects.exists()


def test_a_call_is_not_awarded_before_its_deadline(call, school, admin_user):
    bid = BidFactory(partnership=call.partnership, call=call, school=school)

    with pytest.raises(ValidationError):
        award(call, bid, admin_user)

    assert not Award.objects.exists()


def test_an_awarded_call_cannot_be_awarded_again(call, scored, admin_user):
    winner, loser = scored
    award(call, winner, admin_user)

    with pytest.raises(ValidationError):
        award(call, loser, admin_user)

    assert Award.objects.count() == 1


def test_an_unsuccessful_bidder_sees_the_reasons_and_their_feedback(
    client_for, call, scored, admin_user, other_headteacher
):
    winner, loser = scored
    award(call, winner, admin_user)

    page = client_for(other_headteacher).get(f"/p/cwm/bids/{loser.pk}/").content.decode()

    assert "This bid was not successful." in page
    assert "Strongest evidence of impact." in page
    assert "Clear plan; thin evidence of impact." in page
    assert "Weighted score" in page


def test_a_bidder_cannot_see_another_schools_bid(client_for, call, scored, other_headteacher):
    winner, _loser = scored

    response = client_for(other_headteacher).get(f"/p/cwm/bids/{winner.pk}/")

    assert response.status_code == 404


def test_award_emails_every_bidder_once(call, scored, admin_user, school, other_school):
    from partnership.models import OutboundEmail

    winner, loser = scored
    award(call, winner, admin_user)

    keys = sorted(
        OutboundEmail.objects.filter(key__startswith="hubs:bid-outcome:").values_list(
            "key", flat=True
        )
    )
    assert keys == sorted([f"hubs:bid-outcome:{winner.pk}", f"hubs:bid-outcome:{loser.pk}"])


def test_a_school_that_is_not_a_hub_may_bid_and_win(call, admin_user, partnership, member_factory):
    newcomer = SchoolFactory(partnership=partnership, name="Ysgol Newydd")
    head = member_factory(partnership, Role.HEADTEACHER, school=newcomer)
    bid = services.submit_bid(actor=head, call=call, school=newcomer, **bid_data())
    close(call)
    score_all(call, admin_user, {bid: [3, 3]})

    result = award(call, bid, admin_user)

    assert list(result.hub.schools.all()) == [newcomer]
    assert Membership.objects.filter(user=head, role=Role.HUB_LEAD, school=newcomer).exists()
