"""Factories for casework; registered in TENANT_FACTORIES so the isolation test probes them."""

from __future__ import annotations

import datetime

import factory
from django.utils import timezone

from casework.models import (
    AdviserKind,
    AdviserTeam,
    CaseloadAssignment,
    CaseworkVisit,
    CategorisationRound,
    EvaluationArea,
    Judgement,
    RoundStage,
    SchoolCategorisation,
    SelfEvaluationJudgement,
    VisitAction,
    VisitComment,
)
from tests.factories import TENANT_FACTORIES, PartnershipFactory, SchoolFactory, UserFactory


def _in(partnership_factory: type = SchoolFactory) -> factory.SubFactory:
    return factory.SubFactory(
        partnership_factory, partnership=factory.SelfAttribute("..partnership")
    )


class CaseloadAssignmentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = CaseloadAssignment

    partnership = factory.SubFactory(PartnershipFactory)
    school = _in()
    adviser = factory.SubFactory(UserFactory)
    kind = AdviserKind.CHALLENGE_ADVISER


class AdviserTeamFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = AdviserTeam
        skip_postgeneration_save = True

    partnership = factory.SubFactory(PartnershipFactory)
    name = factory.Sequence(lambda n: f"Adviser team {n}")
    senior_adviser = factory.SubFactory(UserFactory)

    @factory.post_generation
    def advisers(obj, create, extracted, **kwargs):  # noqa: N805
        if create and extracted:
            obj.advisers.set(extracted)


class CaseworkVisitFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = CaseworkVisit

    partnership = factory.SubFactory(PartnershipFactory)
    school = _in()
    adviser = factory.SubFactory(UserFactory)
    visited_on = factory.LazyFunction(lambda: timezone.localdate() - datetime.timedelta(days=7))
    focus = "Progress on the school development plan"
    met_with = "Headteacher; maths lead"
    findings = "Planning is sharper; assessment still inconsistent in key stage 2."
    status = CaseworkVisit.Status.SHARED


class VisitActionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = VisitAction

    partnership = factory.SubFactory(PartnershipFactory)
    visit = factory.SubFactory(
        CaseworkVisitFactory, partnership=factory.SelfAttribute("..partnership")
    )
    school = factory.SelfAttribute("visit.school")
    description = "Moderate year 6 writing with the cluster"
    owner = "Deputy headteacher"
    due_on = factory.LazyFunction(lambda: timezone.localdate() + datetime.timedelta(days=30))


class VisitCommentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = VisitComment

    partnership = factory.SubFactory(PartnershipFactory)
    visit = factory.SubFactory(
        CaseworkVisitFactory, partnership=factory.SelfAttribute("..partnership")
    )
    author = factory.SubFactory(UserFactory)
    text = "Agreed; we will report back at the next visit."


class CategorisationRoundFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = CategorisationRound

    partnership = factory.SubFactory(PartnershipFactory)
    name = factory.Sequence(lambda n: f"Categorisation {2020 + n}")
    academic_year = "2026/27"
    self_evaluation_due = factory.LazyFunction(
        lambda: timezone.localdate() + datetime.timedelta(days=14)
    )
    proposals_due = factory.LazyFunction(lambda: timezone.localdate() + datetime.timedelta(days=28))
    moderation_on = factory.LazyFunction(lambda: timezone.localdate() + datetime.timedelta(days=42))
    publish_on = factory.LazyFunction(lambda: timezone.localdate() + datetime.timedelta(days=56))
    stage = RoundStage.SELF_EVALUATION


class SchoolCategorisationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = SchoolCategorisation

    partnership = factory.SubFactory(PartnershipFactory)
    round = factory.SubFactory(
        CategorisationRoundFactory, partnership=factory.SelfAttribute("..partnership")
    )
    school = _in()


class SelfEvaluationJudgementFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = SelfEvaluationJudgement

    partnership = factory.SubFactory(PartnershipFactory)
    record = factory.SubFactory(
        SchoolCategorisationFactory, partnership=factory.SelfAttribute("..partnership")
    )
    area = EvaluationArea.STANDARDS
    judgement = Judgement.GOOD
    evidence = "Outcomes above the family of schools for three years."


TENANT_FACTORIES.update(
    {
        CaseloadAssignment: CaseloadAssignmentFactory,
        AdviserTeam: AdviserTeamFactory,
        CaseworkVisit: CaseworkVisitFactory,
        VisitAction: VisitActionFactory,
        VisitComment: VisitCommentFactory,
        CategorisationRound: CategorisationRoundFactory,
        SchoolCategorisation: SchoolCategorisationFactory,
        SelfEvaluationJudgement: SelfEvaluationJudgementFactory,
    }
)
