"""The API's write actions beyond single enrolment and bidding: a group enrolment, scoring
a bid and awarding a call, with the same rules and refusals as the web pages."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from hubs.models import Bid, BidStatus, Call, CallCriterion, CallStatus, Enrolment, Hub
from tests.factories import (
    BidFactory,
    CallCriterionFactory,
    CallFactory,
    ClusterFactory,
    SchoolFactory,
)

from .conftest import make_programme
from .test_api import API, api_for, post

pytestmark = pytest.mark.django_db


# --- Group enrolment ----------------------------------------------------------------------


@pytest.fixture
def cluster(partnership, school):
    cluster = ClusterFactory(partnership=partnership, name="Cwm cluster")
    school.cluster = cluster
    school.save()
    SchoolFactory(partnership=partnership, name="Ysgol Fach", cluster=cluster)
    return cluster


def group_data(cluster, schools, count, **extra):
    return {
        "group": f"cluster:{cluster.pk}",
        "participants": [
            {
                "school": schools[n % len(schools)].pk,
                "name": f"Person {n}",
                "email": f"p{n}@x.example",
                "role": "teacher",
            }
            for n in range(count)
        ],
        **extra,
    }


def test_a_headteacher_enrols_their_cluster_together(partnership, hub, cluster, headteacher):
    programme = make_programme(partnership, hub, places=5)
    schools = list(cluster.schools.order_by("name"))

    response = post(
        api_for(headteacher),
        f"{API}programmes/{programme.pk}/enrol-group/",
        group_data(cluster, schools, 3),
    )

    assert response.status_code == 201, response.json()
    body = response.json()
    assert len(body["enrolments"]) == 3
    assert {e["status"] for e in body["enrolments"]} == {"confirmed"}
    assert {e.school for e in Enrolment.objects.filter(group_id=body["id"])} == set(schools)


def test_a_group_larger_than_the_places_is_400_and_nothing_written(
    partnership, hub, cluster, headteacher
):
    programme = make_programme(partnership, hub, places=2)
    schools = list(cluster.schools.all())

    response = post(
        api_for(headteacher),
        f"{API}programmes/{programme.pk}/enrol-group/",
        group_data(cluster, schools, 3),
    )

    assert response.status_code == 400
    assert response.json() == {
        "non_field_errors": [
            "Only 2 places are left and you asked for 3. Enrol fewer people, or agree that "
            "the rest go on the waiting list."
        ]
    }
    assert not Enrolment.objects.exists()


def test_a_group_you_do_not_belong_to_is_400(partnership, hub, headteacher):
    elsewhere = ClusterFactory(partnership=partnership, name="Another cluster")
    outsider = SchoolFactory(partnership=partnership, cluster=elsewhere)
    programme = make_programme(partnership, hub, places=5)

    response = post(
        api_for(headteacher),
        f"{API}programmes/{programme.pk}/enrol-group/",
        group_data(elsewhere, [outsider], 1),
    )

    assert response.status_code == 400
    assert response.json() == {"group": ["Choose a cluster or SIG that includes your school."]}
    assert not Enrolment.objects.exists()


def test_a_person_from_a_school_outside_the_group_is_400(
    partnership, hub, cluster, headteacher, other_school
):
    programme = make_programme(partnership, hub, places=5)

    response = post(
        api_for(headteacher),
        f"{API}programmes/{programme.pk}/enrol-group/",
        group_data(cluster, [other_school], 1),
    )

    assert response.status_code == 400
    assert response.json() == {"participants": ["Person 1: the school is not in Cwm cluster."]}


def test_a_malformed_group_is_400(partnership, hub, headteacher):
    programme = make_programme(partnership, hub, places=5)

    response = post(
        api_for(headteacher),
        f"{API}programmes/{programme.pk}/enrol-group/",
        {"group": "everyone", "participants": []},
    )

    assert response.status_code == 400
    assert set(response.json()) == {"group", "participants"}


def test_only_headteachers_enrol_groups(partnership, hub, cluster, hub_lead):
    programme = make_programme(partnership, hub, places=5)

    response = post(
        api_for(hub_lead),
        f"{API}programmes/{programme.pk}/enrol-group/",
        group_data(cluster, list(cluster.schools.all()), 1),
    )

    assert response.status_code == 403


# --- Scoring and the award ----------------------------------------------------------------


@pytest.fixture
def closed_call(partnership, area, school, other_school):
    call = CallFactory(partnership=partnership, area=area, budget=Decimal("20000"))
    CallCriterionFactory(partnership=partnership, call=call, title="Impact", weight=60, position=0)
    CallCriterionFactory(partnership=partnership, call=call, title="Value", weight=40, position=1)
    BidFactory(partnership=partnership, call=call, school=school)
    BidFactory(partnership=partnership, call=call, school=other_school)
    Call.objects.filter(pk=call.pk).update(deadline=timezone.now() - timedelta(days=1))
    call.refresh_from_db()
    return call


def score_data(call, values, feedback="A clear plan."):
    criteria = CallCriterion.objects.filter(call=call).order_by("position")
    return {
        "scores": [
            {"criterion": c.pk, "score": v, "comment": "Noted."}
            for c, v in zip(criteria, values, strict=True)
        ],
        "feedback": feedback,
    }


def test_the_admin_scores_a_bid_through_the_api(closed_call, admin_user):
    bid = closed_call.bids.order_by("pk").first()

    response = post(
        api_for(admin_user), f"{API}bids/{bid.pk}/score/", score_data(closed_call, [5, 0])
    )

    assert response.status_code == 200, response.json()
    assert Decimal(response.json()["score_percent"]) == Decimal("60.0")
    assert response.json()["feedback"] == "A clear plan."


def test_a_score_out_of_range_is_400_and_nothing_scored(closed_call, admin_user):
    bid = closed_call.bids.first()

    response = post(
        api_for(admin_user), f"{API}bids/{bid.pk}/score/", score_data(closed_call, [9, 1])
    )

    assert response.status_code == 400
    assert "scores" in response.json()
    assert not bid.scores.exists()


def test_a_bid_missing_a_criterion_is_400_naming_it(closed_call, admin_user):
    bid = closed_call.bids.first()
    data = score_data(closed_call, [4, 4])
    data["scores"] = data["scores"][:1]

    response = post(api_for(admin_user), f"{API}bids/{bid.pk}/score/", data)

    assert response.status_code == 400
    assert response.json() == {"non_field_errors": ["Score every criterion: Value."]}


def test_bidders_cannot_score(closed_call, headteacher):
    bid = Bid.objects.get(call=closed_call, school__name=headteacher.memberships.get().school.name)

    response = post(
        api_for(headteacher), f"{API}bids/{bid.pk}/score/", score_data(closed_call, [5, 5])
    )

    assert response.status_code == 403


def test_the_admin_awards_a_scored_call_and_a_hub_is_designated(closed_call, admin_user):
    client = api_for(admin_user)
    winner, loser = closed_call.bids.order_by("pk")
    post(client, f"{API}bids/{winner.pk}/score/", score_data(closed_call, [5, 4]))
    post(client, f"{API}bids/{loser.pk}/score/", score_data(closed_call, [2, 1], "Thin evidence."))
    today = timezone.localdate()

    response = post(
        client,
        f"{API}calls/{closed_call.pk}/award/",
        {
            "bid": winner.pk,
            "reasons": "The strongest evidence of impact.",
            "starts_on": today.isoformat(),
            "ends_on": (today + timedelta(days=365)).isoformat(),
        },
    )

    assert response.status_code == 200, response.json()
    assert response.json()["status"] == CallStatus.AWARDED
    assert response.json()["award"]["school"] == winner.school_id
    assert Hub.objects.filter(schools=winner.school).exists()
    loser.refresh_from_db()
    assert loser.status == BidStatus.UNSUCCESSFUL


def test_an_award_before_every_bid_is_scored_is_400(closed_call, admin_user):
    winner = closed_call.bids.first()
    today = timezone.localdate()

    response = post(
        api_for(admin_user),
        f"{API}calls/{closed_call.pk}/award/",
        {
            "bid": winner.pk,
            "reasons": "Strong.",
            "starts_on": today.isoformat(),
            "ends_on": (today + timedelta(days=30)).isoformat(),
        },
    )

    assert response.status_code == 400
    assert closed_call.status == CallStatus.OPEN
    assert not Hub.objects.filter(schools=winner.school).exists()


def test_an_award_for_a_bid_of_another_call_is_400(closed_call, partnership, area, admin_user):
    stray = BidFactory(
        partnership=partnership, call=CallFactory(partnership=partnership, area=area)
    )
    today = timezone.localdate()

    response = post(
        api_for(admin_user),
        f"{API}calls/{closed_call.pk}/award/",
        {
            "bid": stray.pk,
            "reasons": "Strong.",
            "starts_on": today.isoformat(),
            "ends_on": (today + timedelta(days=30)).isoformat(),
        },
    )

    assert response.status_code == 400
    assert response.json() == {"bid": ["Choose a bid made for this call."]}


def test_headteachers_cannot_award(closed_call, headteacher):
    response = post(api_for(headteacher), f"{API}calls/{closed_call.pk}/award/", {})

    assert response.status_code == 403
