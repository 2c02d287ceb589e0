"""Factories for the evaluation review and consultations of panels; registered in
TENANT_FACTORIES so the cross-tenant isolation test probes them. (The older panel
factories live in tests/factories.py.)"""

from __future__ import annotations

from datetime import timedelta

import factory
from django.utils import timezone

from panels import models as panel_models
from tests.factories import (
    TENANT_FACTORIES,
    PanelFactory,
    PartnershipFactory,
    ProgrammeFactory,
    UserFactory,
)


class EvaluationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = panel_models.Evaluation

    partnership = factory.SubFactory(PartnershipFactory)
    panel = factory.SubFactory(PanelFactory, partnership=factory.SelfAttribute("..partnership"))
    programme = factory.SubFactory(
        ProgrammeFactory, partnership=factory.SelfAttribute("..partnership")
    )
    judgement = panel_models.EvaluationJudgement.CONTINUE
    rationale = "Participants' confidence rose and schools report changed practice."


class ConsultationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = panel_models.Consultation

    partnership = factory.SubFactory(PartnershipFactory)
    title = factory.Sequence(lambda n: f"The future of the school-improvement model ({n})")
    summary = "How should schools work together to improve from next September?"
    groups = factory.LazyFunction(lambda: list(panel_models.StakeholderGroup.values))
    opens_at = factory.LazyFunction(lambda: timezone.now() - timedelta(days=7))
    closes_at = factory.LazyFunction(lambda: timezone.now() + timedelta(days=21))


class ConsultationSectionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = panel_models.ConsultationSection

    partnership = factory.SubFactory(PartnershipFactory)
    consultation = factory.SubFactory(
        ConsultationFactory, partnership=factory.SelfAttribute("..partnership")
    )
    heading = factory.Sequence(lambda n: f"Section {n}: school-to-school support")
    body = "Schools lead their own improvement, supported by their peers."


class ConsultationQuestionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = panel_models.ConsultationQuestion

    partnership = factory.SubFactory(PartnershipFactory)
    section = factory.SubFactory(
        ConsultationSectionFactory, partnership=factory.SelfAttribute("..partnership")
    )
    consultation = factory.SelfAttribute("section.consultation")
    text = factory.Sequence(lambda n: f"What should school improvement groups do? ({n})")


class ConsultationResponseFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = panel_models.ConsultationResponse

    partnership = factory.SubFactory(PartnershipFactory)
    consultation = factory.SubFactory(
        ConsultationFactory, partnership=factory.SelfAttribute("..partnership")
    )
    respondent = factory.SubFactory(UserFactory)
    group = panel_models.StakeholderGroup.HEADTEACHERS


class ConsultationAnswerFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = panel_models.ConsultationAnswer

    partnership = factory.SubFactory(PartnershipFactory)
    response = factory.SubFactory(
        ConsultationResponseFactory, partnership=factory.SelfAttribute("..partnership")
    )
    question = factory.SubFactory(
        ConsultationQuestionFactory,
        partnership=factory.SelfAttribute("..partnership"),
        consultation=factory.SelfAttribute("..response.consultation"),
        section__consultation=factory.SelfAttribute("..consultation"),
    )
    text = "Keep the groups small and cross-authority."


TENANT_FACTORIES.update(
    {
        panel_models.Evaluation: EvaluationFactory,
        panel_models.Consultation: ConsultationFactory,
        panel_models.ConsultationSection: ConsultationSectionFactory,
        panel_models.ConsultationQuestion: ConsultationQuestionFactory,
        panel_models.ConsultationResponse: ConsultationResponseFactory,
        panel_models.ConsultationAnswer: ConsultationAnswerFactory,
    }
)
