"""A small casework world: a school with its challenge adviser, headteacher and governor,
a senior CA, a headteacher of another school who sits on the moderation panel, and
another CA who does not advise the school."""

from __future__ import annotations

import pytest

from casework.models import RoundStage, SchoolCategorisation
from partnership.models import Role
from schools.models import SupportCategory
from tests.factories import SchoolFactory

from .factories import CategorisationRoundFactory, SchoolCategorisationFactory


@pytest.fixture
def ca(partnership, member_factory):
    return member_factory(partnership, Role.CHALLENGE_ADVISER, full_name="Ceri Adviser")


@pytest.fixture
def other_ca(partnership, member_factory):
    return member_factory(partnership, Role.CHALLENGE_ADVISER, full_name="Owain Other")


@pytest.fixture
def senior(partnership, member_factory):
    return member_factory(partnership, Role.SENIOR_CA, full_name="Sara Senior")


@pytest.fixture
def school(partnership, ca):
    return SchoolFactory(
        partnership=partnership,
        name="Ysgol y Cwm",
        challenge_adviser=ca,
        support_category=SupportCategory.GREEN,
    )


@pytest.fixture
def other_school(partnership):
    return SchoolFactory(partnership=partnership, name="Ysgol Arall")


@pytest.fixture
def head(partnership, school, member_factory):
    return member_factory(partnership, Role.HEADTEACHER, school=school, full_name="Huw Head")


@pytest.fixture
def governor(partnership, school, member_factory):
    return member_factory(partnership, Role.GOVERNOR, school=school, full_name="Gwen Governor")


@pytest.fixture
def panel_head(partnership, other_school, member_factory):
    """A headteacher of another school, on the round's moderation panel."""
    return member_factory(
        partnership, Role.HEADTEACHER, school=other_school, full_name="Mair Moderator"
    )


@pytest.fixture
def round_(partnership, panel_head):
    round_ = CategorisationRoundFactory(partnership=partnership, name="Categorisation 2026")
    round_.moderators.add(panel_head)
    return round_


@pytest.fixture
def record(partnership, round_, school):
    return SchoolCategorisationFactory(partnership=partnership, round=round_, school=school)


def at_stage(round_, stage: str) -> None:
    round_.stage = stage
    round_.save(update_fields=["stage"])


@pytest.fixture
def proposed(record, round_, ca):
    """The school's record proposed amber, and the round in moderation."""
    record.proposed_category = SupportCategory.AMBER
    record.proposal_rationale = "Standards have dipped in two years."
    record.proposed_by = ca
    record.status = SchoolCategorisation.Status.PROPOSED
    record.save()
    at_stage(round_, RoundStage.MODERATION)
    return record
