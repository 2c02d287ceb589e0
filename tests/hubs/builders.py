"""Builders for tests/test_query_counts.py: fill a tenant with `n` rows of what a hubs page
or API list shows, each row with its own hub, area, school, call and so on, so a missing
select_related/prefetch shows as extra queries."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.utils import timezone

from hubs.models import DocumentKind, ProgrammeStatus
from tests.factories import (
    AreaFactory,
    AttendanceFactory,
    AwardFactory,
    BidFactory,
    BidScoreFactory,
    BudgetLineFactory,
    CallCriterionFactory,
    CallFactory,
    DeliverableFactory,
    DocumentFactory,
    EnrolmentFactory,
    HubFactory,
    ProgrammeFactory,
    ProgrammeSessionFactory,
    SchoolFactory,
    ServiceLevelAgreementFactory,
)


def _own_school(tenant: Any) -> Any:
    """The viewer's school (a headteacher's or hub lead's), given one if they have none."""
    membership = tenant.viewer.memberships.get()
    if membership.school is None:
        membership.school = SchoolFactory(partnership=tenant.partnership, name="Viewer's hub")
        membership.save(update_fields=["school"])
    return membership.school


def _hub(tenant: Any, school: Any = None) -> Any:
    p = tenant.partnership
    schools = [school] if school else [SchoolFactory(partnership=p), SchoolFactory(partnership=p)]
    hub = HubFactory(partnership=p, area=AreaFactory(partnership=p), schools=schools)
    agreement = ServiceLevelAgreementFactory(partnership=p, hub=hub)
    BudgetLineFactory(partnership=p, agreement=agreement)
    DeliverableFactory(
        partnership=p, agreement=agreement, due_on=timezone.localdate() - timedelta(days=1)
    )
    return hub


def _programme(tenant: Any, hub: Any, school: Any = None, sessions: int = 2, **kwargs: Any) -> Any:
    p = tenant.partnership
    programme = ProgrammeFactory(partnership=p, hub=hub, area=hub.area, **kwargs)
    sessions = [
        ProgrammeSessionFactory(
            partnership=p,
            programme=programme,
            date=timezone.localdate() + timedelta(days=7 * (number + 1)),
        )
        for number in range(sessions)
    ]
    enrolment = EnrolmentFactory(
        partnership=p, programme=programme, school=school or SchoolFactory(partnership=p)
    )
    AttendanceFactory(partnership=p, session=sessions[0], enrolment=enrolment)
    return programme


def build_hubs(tenant: Any) -> None:
    """n hubs, each with its area, two schools, agreement, spend, deliverable, programme."""
    for _ in range(tenant.n):
        _programme(tenant, _hub(tenant))


def build_hub_programmes(tenant: Any) -> None:
    """One hub with n programmes (its value-for-money page lists them)."""
    hub = _hub(tenant)
    for _ in range(tenant.n):
        _programme(tenant, hub)
    tenant.url_kwargs["pk"] = hub.pk


def build_programmes(tenant: Any) -> None:
    """n published programmes, each in its own hub and area, with sessions and places."""
    for _ in range(tenant.n):
        hub = HubFactory(
            partnership=tenant.partnership, area=AreaFactory(partnership=tenant.partnership)
        )
        _programme(tenant, hub)


def build_own_enrolments(tenant: Any) -> None:
    """n enrolments of the viewer's school (headteacher) on n programmes of n hubs."""
    school = _own_school(tenant)
    for _ in range(tenant.n):
        _programme(tenant, _hub(tenant), school=school)


def build_led_hubs(tenant: Any) -> None:
    """n hubs of the viewer's school (hub lead), each with a programme (every third a
    draft) with one session and one enrolment, and an overdue deliverable."""
    school = _own_school(tenant)
    for i in range(tenant.n):
        hub = _hub(tenant, school=school)
        status = ProgrammeStatus.DRAFT if i % 3 == 0 else ProgrammeStatus.OPEN
        _programme(tenant, hub, sessions=1, status=status)


def build_calls(tenant: Any) -> None:
    """n calls, each with its area and two criteria; every third one awarded."""
    p = tenant.partnership
    for i in range(tenant.n):
        if i % 3 == 0:
            call = AwardFactory(partnership=p).call
        else:
            call = CallFactory(partnership=p, area=AreaFactory(partnership=p))
        for position in range(2):
            CallCriterionFactory(partnership=p, call=call, position=position)


def build_bids(tenant: Any) -> None:
    """n bids on n calls, each scored and with a document; the viewer's school's if the
    viewer has a school (a headteacher sees only those)."""
    p = tenant.partnership
    membership = tenant.viewer.memberships.get()
    for _ in range(tenant.n):
        school = membership.school or SchoolFactory(partnership=p)
        call = CallFactory(partnership=p, area=AreaFactory(partnership=p))
        bid = BidFactory(partnership=p, call=call, school=school)
        BidScoreFactory(
            partnership=p,
            bid=bid,
            criterion=CallCriterionFactory(partnership=p, call=call),
        )
        DocumentFactory(partnership=p, kind=DocumentKind.BID, deliverable=None, bid=bid)
