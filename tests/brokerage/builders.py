"""Builders for tests/test_query_counts.py: fill a tenant with `n` rows of what a brokerage
API list shows, each with its own schools, area, adviser, offer and people, so a missing
select_related/prefetch shows as extra queries."""

from __future__ import annotations

from typing import Any

from brokerage.models import SupportAgreement
from partnership.models import Role
from tests.factories import (
    AgreementOutcomeFactory,
    AreaFactory,
    DeliverySessionFactory,
    MembershipFactory,
    NeedFactory,
    OfferFactory,
    SchoolFactory,
    UserFactory,
)


def _school(tenant: Any) -> Any:
    """A school with its own challenge adviser and headteacher."""
    p = tenant.partnership
    adviser = UserFactory()
    MembershipFactory(partnership=p, user=adviser, role=Role.CHALLENGE_ADVISER)
    school = SchoolFactory(partnership=p, challenge_adviser=adviser)
    MembershipFactory(partnership=p, role=Role.HEADTEACHER, school=school)
    return school


def build_needs(tenant: Any) -> None:
    for _ in range(tenant.n):
        school = _school(tenant)
        NeedFactory(
            partnership=tenant.partnership,
            school=school,
            area=AreaFactory(partnership=tenant.partnership),
            raised_by=UserFactory(),
        )


def build_offers(tenant: Any) -> None:
    p = tenant.partnership
    for _ in range(tenant.n):
        OfferFactory(
            partnership=p,
            school=_school(tenant),
            area=AreaFactory(partnership=p),
            other_areas=[AreaFactory(partnership=p), AreaFactory(partnership=p)],
            created_by=UserFactory(),
        )


def build_agreements(tenant: Any) -> None:
    """n agreements: every other one closed with its outcome, the others in progress with
    two sessions each."""
    p = tenant.partnership
    for i in range(tenant.n):
        schools = {
            "agreement__need__school": _school(tenant),
            "agreement__offer__school": _school(tenant),
        }
        if i % 2 == 0:
            AgreementOutcomeFactory(partnership=p, recorded_by=UserFactory(), **schools)
            continue
        live = DeliverySessionFactory(
            partnership=p,
            agreement__status=SupportAgreement.Status.ACTIVE,
            agreement__brokered_by=UserFactory(),
            **schools,
        ).agreement
        DeliverySessionFactory(partnership=p, agreement=live, recorded_by=UserFactory())
