"""Enrolment: places, the waiting list and its promotion, groups, cancellation, registers."""

from __future__ import annotations

import threading

import pytest
from django.core.exceptions import ValidationError
from django.db import connection

from hubs import services
from hubs.models import Attendance, Enrolment, EnrolmentStatus, GroupEnrolment, ProgrammeStatus
from partnership.models import Role
from tests.factories import (
    ClusterFactory,
    EnrolmentFactory,
    SchoolFactory,
    SchoolImprovementGroupFactory,
)

from .conftest import make_programme

pytestmark = pytest.mark.django_db


def enrol(programme, school, actor, email, name="Teacher"):
    return services.enrol(
        actor=actor,
        programme=programme,
        school=school,
        participant_name=name,
        participant_email=email,
        participant_role="teacher",
    )


def statuses(programme):
    return list(
        Enrolment.objects.filter(programme=programme)
        .order_by("created_at", "pk")
        .values_list("participant_email", "status")
    )


def test_enrolment_takes_a_place_while_places_are_left(programme, school, headteacher):
    enrolment = enrol(programme, school, headteacher, "a@school.example")

    assert enrolment.status == EnrolmentStatus.CONFIRMED
    programme.refresh_from_db()
    assert programme.status == ProgrammeStatus.OPEN


def test_last_place_taken_marks_the_programme_full(programme, school, headteacher):
    enrol(programme, school, headteacher, "a@school.example")
    enrol(programme, school, headteacher, "b@school.example")

    programme.refresh_from_db()
    assert programme.status == ProgrammeStatus.FULL


def test_enrolling_past_capacity_puts_the_person_on_the_waiting_list(
    programme, school, headteacher
):
    enrol(programme, school, headteacher, "a@school.example")
    enrol(programme, school, headteacher, "b@school.example")

    third = enrol(programme, school, headteacher, "c@school.example")

    assert third.status == EnrolmentStatus.WAITLISTED
    assert Enrolment.objects.filter(status=EnrolmentStatus.CONFIRMED).count() == 2


def test_cancelling_a_place_promotes_the_first_on_the_waiting_list(programme, school, headteacher):
    first = enrol(programme, school, headteacher, "a@school.example")
    enrol(programme, school, headteacher, "b@school.example")
    enrol(programme, school, headteacher, "c@school.example")
    enrol(programme, school, headteacher, "d@school.example")

    services.cancel_enrolment(actor=headteacher, enrolment=first)

    assert statuses(programme) == [
        ("a@school.example", EnrolmentStatus.CANCELLED),
        ("b@school.example", EnrolmentStatus.CONFIRMED),
        ("c@school.example", EnrolmentStatus.CONFIRMED),
        ("d@school.example", EnrolmentStatus.WAITLISTED),
    ]
    programme.refresh_from_db()
    assert programme.status == ProgrammeStatus.FULL


def test_cancelling_with_nobody_waiting_reopens_the_programme(programme, school, headteacher):
    first = enrol(programme, school, headteacher, "a@school.example")
    enrol(programme, school, headteacher, "b@school.example")

    services.cancel_enrolment(actor=headteacher, enrolment=first)

    programme.refresh_from_db()
    assert programme.status == ProgrammeStatus.OPEN


def test_cancelling_a_waiting_list_entry_promotes_nobody(programme, school, headteacher):
    enrol(programme, school, headteacher, "a@school.example")
    enrol(programme, school, headteacher, "b@school.example")
    waiting = enrol(programme, school, headteacher, "c@school.example")
    enrol(programme, school, headteacher, "d@school.example")

    services.cancel_enrolment(actor=headteacher, enrolment=waiting)

    assert [s for _e, s in statuses(programme)] == [
        EnrolmentStatus.CONFIRMED,
        EnrolmentStatus.CONFIRMED,
        EnrolmentStatus.CANCELLED,
        EnrolmentStatus.WAITLISTED,
    ]


def test_adding_places_promotes_the_waiting_list(partnership, hub, school, headteacher, hub_lead):
    programme = make_programme(partnership, hub, places=1)
    enrol(programme, school, headteacher, "a@school.example")
    enrol(programme, school, headteacher, "b@school.example")
    session = programme.sessions.get()

    services.save_programme(
        actor=hub_lead,
        hub=hub,
        programme=programme,
        sessions=[
            services.SessionInput(
                id=session.pk,
                date=session.date,
                starts_at=session.starts_at,
                ends_at=session.ends_at,
                venue=session.venue,
            )
        ],
        title=programme.title,
        description=programme.description,
        area=programme.area,
        places=2,
        delivery_language=programme.delivery_language,
        status=ProgrammeStatus.OPEN,
    )

    assert [s for _e, s in statuses(programme)] == [EnrolmentStatus.CONFIRMED] * 2


def test_the_same_person_cannot_be_enrolled_twice(programme, school, headteacher):
    enrol(programme, school, headteacher, "a@school.example")

    with pytest.raises(ValidationError) as error:
        enrol(programme, school, headteacher, "A@School.example")

    assert "already enrolled" in str(error.value)
    assert Enrolment.objects.count() == 1


def test_a_cancelled_person_can_enrol_again(programme, school, headteacher):
    first = enrol(programme, school, headteacher, "a@school.example")
    services.cancel_enrolment(actor=headteacher, enrolment=first)

    again = enrol(programme, school, headteacher, "a@school.example")

    assert again.status == EnrolmentStatus.CONFIRMED


@pytest.mark.parametrize(
    "status", [ProgrammeStatus.DRAFT, ProgrammeStatus.CANCELLED, ProgrammeStatus.FINISHED]
)
def test_a_programme_not_open_refuses_enrolments(partnership, hub, school, headteacher, status):
    programme = make_programme(partnership, hub, status=status)

    with pytest.raises(ValidationError):
        enrol(programme, school, headteacher, "a@school.example")

    assert not Enrolment.objects.exists()


# --- Groups -------------------------------------------------------------------------------


@pytest.fixture
def cluster_schools(partnership, school):
    cluster = ClusterFactory(partnership=partnership, name="Cwm cluster")
    school.cluster = cluster
    school.save()
    other = SchoolFactory(partnership=partnership, name="Ysgol Fach", cluster=cluster)
    return cluster, [school, other]


def people(schools, count):
    return [
        services.ParticipantInput(
            school=schools[n % len(schools)], name=f"P{n}", email=f"p{n}@x.example", role="teacher"
        )
        for n in range(count)
    ]


def test_a_cluster_enrols_several_schools_together(programme, headteacher, cluster_schools):
    cluster, schools = cluster_schools

    request = services.enrol_group(
        actor=headteacher, programme=programme, group=cluster, participants=people(schools, 2)
    )

    assert request.cluster == cluster
    assert {e.school for e in request.enrolments.all()} == set(schools)
    assert all(e.status == EnrolmentStatus.CONFIRMED for e in request.enrolments.all())


def test_a_group_larger_than_the_places_left_is_refused_and_nothing_written(
    programme, headteacher, cluster_schools
):
    cluster, schools = cluster_schools

    with pytest.raises(ValidationError) as error:
        services.enrol_group(
            actor=headteacher, programme=programme, group=cluster, participants=people(schools, 3)
        )

    assert "Only 2 places are left" in str(error.value)
    assert not Enrolment.objects.exists()
    assert not GroupEnrolment.objects.exists()


def test_a_group_may_agree_that_the_rest_go_on_the_waiting_list(
    programme, headteacher, cluster_schools
):
    cluster, schools = cluster_schools

    services.enrol_group(
        actor=headteacher,
        programme=programme,
        group=cluster,
        participants=people(schools, 3),
        allow_waiting_list=True,
    )

    assert [s for _e, s in statuses(programme)] == [
        EnrolmentStatus.CONFIRMED,
        EnrolmentStatus.CONFIRMED,
        EnrolmentStatus.WAITLISTED,
    ]


def test_a_sig_cannot_enrol_a_school_outside_it(partnership, programme, headteacher, school):
    sig = SchoolImprovementGroupFactory(partnership=partnership, schools=[school])
    outsider = SchoolFactory(partnership=partnership, name="Ysgol Bell")

    with pytest.raises(ValidationError) as error:
        services.enrol_group(
            actor=headteacher,
            programme=programme,
            group=sig,
            participants=people([school, outsider], 2),
        )

    assert "Ysgol Bell is not in" in str(error.value)
    assert not Enrolment.objects.exists()


def test_a_group_with_an_already_enrolled_person_writes_nothing(
    programme, headteacher, cluster_schools
):
    cluster, schools = cluster_schools
    EnrolmentFactory(
        partnership=programme.partnership, programme=programme, participant_email="p1@x.example"
    )

    with pytest.raises(ValidationError) as error:
        services.enrol_group(
            actor=headteacher,
            programme=programme,
            group=cluster,
            participants=people(schools, 2),
            allow_waiting_list=True,
        )

    assert "Person 2" in str(error.value)
    assert Enrolment.objects.count() == 1
    assert not GroupEnrolment.objects.exists()


def test_group_enrolment_page_enrols_the_rows_filled_in(
    client_for, programme, headteacher, cluster_schools
):
    cluster, schools = cluster_schools
    data = {
        "group": f"cluster:{cluster.pk}",
        "people-TOTAL_FORMS": "3",
        "people-INITIAL_FORMS": "0",
        "people-MIN_NUM_FORMS": "0",
        "people-MAX_NUM_FORMS": "100",
    }
    for n, school in enumerate(schools):
        data |= {
            f"people-{n}-school": school.pk,
            f"people-{n}-name": f"Person {n}",
            f"people-{n}-email": f"person{n}@x.example",
            f"people-{n}-role": "teacher",
        }

    response = client_for(headteacher).post(f"/p/cwm/programmes/{programme.pk}/enrol-group/", data)

    assert response.status_code == 302
    assert Enrolment.objects.filter(group__cluster=cluster).count() == 2


# --- The register ----------------------------------------------------------------------------


def test_hub_lead_keeps_the_register_per_session(
    client_for, programme, school, headteacher, hub_lead
):
    present = enrol(programme, school, headteacher, "a@school.example")
    absent = enrol(programme, school, headteacher, "b@school.example")
    session = programme.sessions.get()

    response = client_for(hub_lead).post(
        f"/p/cwm/programmes/sessions/{session.pk}/register/",
        {f"attended_{present.pk}": "yes", f"attended_{absent.pk}": "no"},
    )

    assert response.status_code == 302
    marks = dict(Attendance.objects.values_list("enrolment_id", "attended"))
    assert marks == {present.pk: True, absent.pk: False}


def test_saving_the_register_again_changes_the_mark_not_the_rows(
    programme, school, headteacher, hub_lead
):
    person = enrol(programme, school, headteacher, "a@school.example")
    session = programme.sessions.get()
    services.record_register(actor=hub_lead, session=session, attended={person.pk: False})

    services.record_register(actor=hub_lead, session=session, attended={person.pk: True})

    assert list(Attendance.objects.values_list("attended", flat=True)) == [True]


def test_the_register_refuses_someone_not_on_the_programme(
    partnership, hub, programme, school, headteacher, hub_lead
):
    elsewhere = enrol(make_programme(partnership, hub), school, headteacher, "x@school.example")
    session = programme.sessions.get()

    with pytest.raises(ValidationError):
        services.record_register(actor=hub_lead, session=session, attended={elsewhere.pk: True})

    assert not Attendance.objects.exists()


# --- The race for the last place (PostgreSQL) ------------------------------------------------


@pytest.mark.django_db(transaction=True)
def test_two_headteachers_taking_the_last_place_at_once_get_one_place_and_one_wait(
    partnership, hub, member_factory
):
    if connection.vendor != "postgresql":
        pytest.skip("Row locks need PostgreSQL; SQLite serialises every write anyway.")
    programme = make_programme(partnership, hub, places=1)
    schools = [SchoolFactory(partnership=partnership) for _ in range(2)]
    heads = [member_factory(partnership, Role.HEADTEACHER, school=s) for s in schools]
    barrier = threading.Barrier(2)
    errors: list[BaseException] = []

    def take_the_place(index: int) -> None:
        try:
            barrier.wait(timeout=10)
            enrol(programme, schools[index], heads[index], f"racer{index}@school.example")
        except BaseException as error:  # reported below, in the test's own thread
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=take_the_place, args=(i,)) for i in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)

    assert not errors
    assert sorted(Enrolment.objects.values_list("status", flat=True)) == [
        EnrolmentStatus.CONFIRMED,
        EnrolmentStatus.WAITLISTED,
    ]
