"""Factories for collaboration; registered in TENANT_FACTORIES so the isolation test probes them."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import factory
from django.utils import timezone

from collaboration import models as m
from tests.factories import (
    TENANT_FACTORIES,
    AreaFactory,
    PartnershipFactory,
    SchoolFactory,
    SchoolImprovementGroupFactory,
    UserFactory,
)


class GroupProjectFactory(factory.django.DjangoModelFactory):
    """A SIG's project led by one school (pass cluster=..., sig=None for a cluster's).
    The member schools (default: the lead school) are added to the SIG as well."""

    class Meta:
        model = m.GroupProject
        skip_postgeneration_save = True

    partnership = factory.SubFactory(PartnershipFactory)
    title = factory.Sequence(lambda n: f"Oracy across the group ({n})")
    sig = factory.SubFactory(
        SchoolImprovementGroupFactory, partnership=factory.SelfAttribute("..partnership")
    )
    cluster = None
    area = factory.SubFactory(AreaFactory, partnership=factory.SelfAttribute("..partnership"))
    aims = "Every pupil talks about their learning in full sentences."
    need = "The needs survey showed oracy as the group's first priority."
    lead_school = factory.SubFactory(
        SchoolFactory, partnership=factory.SelfAttribute("..partnership")
    )
    starts_on = factory.LazyFunction(lambda: timezone.localdate() - timedelta(days=60))
    ends_on = factory.LazyFunction(lambda: timezone.localdate() + timedelta(days=300))
    funding_allocated = Decimal("10000.00")
    status = m.ProjectStatus.ACTIVE

    @factory.post_generation
    def schools(obj, create, extracted, **kwargs):  # noqa: N805
        if create:
            members = list(extracted or [obj.lead_school])
            obj.schools.set(members)
            if obj.sig_id:
                obj.sig.schools.add(*members)


class ProjectBudgetLineFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = m.ProjectBudgetLine

    partnership = factory.SubFactory(PartnershipFactory)
    project = factory.SubFactory(
        GroupProjectFactory, partnership=factory.SelfAttribute("..partnership")
    )
    category = "staffing"
    description = "Supply cover for joint planning days"
    allocated = Decimal("4000.00")
    spent = Decimal("1000.00")


class MilestoneFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = m.Milestone

    partnership = factory.SubFactory(PartnershipFactory)
    project = factory.SubFactory(
        GroupProjectFactory, partnership=factory.SelfAttribute("..partnership")
    )
    title = "Baseline recordings of pupils' talk"
    due_on = factory.LazyFunction(lambda: timezone.localdate() + timedelta(days=30))


class ProjectEvaluationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = m.ProjectEvaluation

    partnership = factory.SubFactory(PartnershipFactory)
    project = factory.SubFactory(
        GroupProjectFactory,
        partnership=factory.SelfAttribute("..partnership"),
        status=m.ProjectStatus.COMPLETED,
    )
    what_changed = "Pupils explain their reasoning in full sentences."
    evidence = "Recordings at the start and the end; book looks."
    whole_school_reach = "Every class uses the talk frames; shared at staff meetings."
    staff_involved = 6
    staff_reached = 40


class ResourceFactory(factory.django.DjangoModelFactory):
    """A published resource with no versions (add ResourceVersionFactory rows)."""

    class Meta:
        model = m.Resource

    partnership = factory.SubFactory(PartnershipFactory)
    title = factory.Sequence(lambda n: f"Talk frames for key stage 2 ({n})")
    summary = "Sentence stems and routines for structured talk in class."
    kind = m.ResourceKind.DOCUMENT
    area = factory.SubFactory(AreaFactory, partnership=factory.SelfAttribute("..partnership"))
    licence = m.Licence.CC_BY
    status = m.ResourceStatus.PUBLISHED
    published_at = factory.LazyFunction(timezone.now)


class ResourceVersionFactory(factory.django.DjangoModelFactory):
    """A link version (no file is written; tests that download files use the service)."""

    class Meta:
        model = m.ResourceVersion

    partnership = factory.SubFactory(PartnershipFactory)
    resource = factory.SubFactory(
        ResourceFactory, partnership=factory.SelfAttribute("..partnership")
    )
    language = m.ResourceLanguage.ENGLISH
    url = factory.Sequence(lambda n: f"https://resources.example.org/talk-frames-{n}")


class AreaFollowFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = m.AreaFollow

    partnership = factory.SubFactory(PartnershipFactory)
    user = factory.SubFactory(UserFactory)
    area = factory.SubFactory(AreaFactory, partnership=factory.SelfAttribute("..partnership"))


TENANT_FACTORIES.update(
    {
        m.GroupProject: GroupProjectFactory,
        m.ProjectBudgetLine: ProjectBudgetLineFactory,
        m.Milestone: MilestoneFactory,
        m.ProjectEvaluation: ProjectEvaluationFactory,
        m.Resource: ResourceFactory,
        m.ResourceVersion: ResourceVersionFactory,
        m.AreaFollow: AreaFollowFactory,
    }
)
