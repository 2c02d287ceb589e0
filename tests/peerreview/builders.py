"""Builders for tests/test_query_counts.py: n peer-review cycles, each with a group, a
reviewed school with its lead reviewer, and a visit."""

from __future__ import annotations

from typing import Any

from tests.factories import (
    CycleFactory,
    CycleParticipationFactory,
    ReviewFactory,
    ReviewGroupFactory,
    ReviewTeamMemberFactory,
    SchoolFactory,
    VisitFactory,
)


def build_cycles(tenant: Any) -> None:
    p = tenant.partnership
    for _ in range(tenant.n):
        cycle = CycleFactory(partnership=p)
        CycleParticipationFactory(partnership=p, cycle=cycle, is_host=True)
        group = ReviewGroupFactory(partnership=p, cycle=cycle)
        review = ReviewFactory(
            partnership=p, cycle=cycle, group=group, school=SchoolFactory(partnership=p)
        )
        ReviewTeamMemberFactory(partnership=p, review=review, is_lead=True)
        VisitFactory(partnership=p, review=review)
