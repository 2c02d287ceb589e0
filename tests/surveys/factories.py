"""Factories for surveys; registered in TENANT_FACTORIES so the isolation test probes them."""

from __future__ import annotations

from datetime import timedelta

import factory
from django.utils import timezone

from surveys import models
from tests.factories import (
    TENANT_FACTORIES,
    AreaFactory,
    EnrolmentFactory,
    PartnershipFactory,
    SchoolFactory,
)


class SurveySettingsFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = models.SurveySettings
        django_get_or_create = ("partnership",)

    partnership = factory.SubFactory(PartnershipFactory)


class ImpactInvitationFactory(factory.django.DjangoModelFactory):
    """An invitation about a programme enrolment, already sent."""

    class Meta:
        model = models.ImpactInvitation

    partnership = factory.SubFactory(PartnershipFactory)
    enrolment = factory.SubFactory(
        EnrolmentFactory, partnership=factory.SelfAttribute("..partnership")
    )
    programme = factory.SelfAttribute("enrolment.programme")
    area = factory.SelfAttribute("programme.area")
    school = factory.SelfAttribute("enrolment.school")
    full_name = factory.SelfAttribute("enrolment.participant_name")
    email = factory.SelfAttribute("enrolment.participant_email")
    point = models.SurveyPoint.START
    due_on = factory.LazyFunction(timezone.localdate)
    expires_at = factory.LazyFunction(lambda: timezone.now() + timedelta(days=30))
    status = models.ImpactInvitation.Status.SENT
    sent_at = factory.LazyFunction(timezone.now)


class ImpactResponseFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = models.ImpactResponse

    partnership = factory.SubFactory(PartnershipFactory)
    invitation = factory.SubFactory(
        ImpactInvitationFactory,
        partnership=factory.SelfAttribute("..partnership"),
        status=models.ImpactInvitation.Status.ANSWERED,
        answered_at=factory.LazyFunction(timezone.now),
    )
    point = factory.SelfAttribute("invitation.point")
    confidence = 3
    knowledge = 3
    practice = 3
    school_change = 2
    comment = "Useful sessions; the gap tasks made us try things in class."


class SurveyOptOutFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = models.SurveyOptOut

    partnership = factory.SubFactory(PartnershipFactory)
    email = factory.Sequence(lambda n: f"optout{n}@school.example")


class NeedsSurveyRoundFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = models.NeedsSurveyRound

    partnership = factory.SubFactory(PartnershipFactory)
    name = factory.Sequence(lambda n: f"Needs survey {n}")
    academic_year = "2027/28"
    deadline = factory.LazyFunction(lambda: timezone.localdate() + timedelta(days=21))
    status = models.NeedsSurveyRound.Status.OPEN


class NeedsSurveyResponseFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = models.NeedsSurveyResponse

    partnership = factory.SubFactory(PartnershipFactory)
    round = factory.SubFactory(
        NeedsSurveyRoundFactory, partnership=factory.SelfAttribute("..partnership")
    )
    school = factory.SubFactory(SchoolFactory, partnership=factory.SelfAttribute("..partnership"))
    needs = "Reading for pleasure in key stage 2; middle leaders new to the role."
    delivery_mode = models.DeliveryMode.BLENDED
    language = models.PreferredLanguage.BILINGUAL
    status = models.NeedsSurveyResponse.Status.SUBMITTED
    submitted_at = factory.LazyFunction(timezone.now)


class NeedsAreaPriorityFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = models.NeedsAreaPriority

    partnership = factory.SubFactory(PartnershipFactory)
    response = factory.SubFactory(
        NeedsSurveyResponseFactory, partnership=factory.SelfAttribute("..partnership")
    )
    area = factory.SubFactory(AreaFactory, partnership=factory.SelfAttribute("..partnership"))
    rank = 1


TENANT_FACTORIES.update(
    {
        models.SurveySettings: SurveySettingsFactory,
        models.ImpactInvitation: ImpactInvitationFactory,
        models.ImpactResponse: ImpactResponseFactory,
        models.SurveyOptOut: SurveyOptOutFactory,
        models.NeedsSurveyRound: NeedsSurveyRoundFactory,
        models.NeedsSurveyResponse: NeedsSurveyResponseFactory,
        models.NeedsAreaPriority: NeedsAreaPriorityFactory,
    }
)
