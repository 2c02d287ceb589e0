"""factory_boy factories: one per model, building realistic rows.

Convention: a tenant model's factory takes `partnership`, and every tenant SubFactory
inherits it with `partnership=factory.SelfAttribute("..partnership")`, so one call builds a
consistent set of rows inside one partnership.
"""

from __future__ import annotations

import factory
from django.utils import timezone

from partnership.models import (
    Area,
    Invitation,
    Membership,
    OutboundEmail,
    Partnership,
    Role,
    User,
)
from schools.models import (
    CategoryChange,
    Cluster,
    LanguageMedium,
    LocalAuthority,
    Phase,
    School,
    SchoolImprovementGroup,
    SupportCategory,
)

TEST_PASSWORD = "correct-horse-battery-staple"


class PartnershipFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Partnership
        django_get_or_create = ("slug",)

    name = factory.Sequence(lambda n: f"Partnership {n}")
    slug = factory.Sequence(lambda n: f"partnership-{n}")
    country = "wales"


class AreaFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Area

    partnership = factory.SubFactory(PartnershipFactory)
    slug = factory.Sequence(lambda n: f"area-{n}")
    name = factory.Sequence(lambda n: f"Area {n}")
    name_cy = factory.Sequence(lambda n: f"Maes {n}")


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        django_get_or_create = ("email",)
        skip_postgeneration_save = True

    email = factory.Sequence(lambda n: f"person{n}@example.org")
    full_name = factory.Faker("name", locale="en_GB")
    password = factory.PostGenerationMethodCall("set_password", TEST_PASSWORD)

    @factory.post_generation
    def _save(obj, create, extracted, **kwargs):  # noqa: N805
        if create:
            obj.save()


class LocalAuthorityFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = LocalAuthority

    partnership = factory.SubFactory(PartnershipFactory)
    name = factory.Sequence(lambda n: f"County {n}")
    code = factory.Sequence(lambda n: f"{600 + n}")


class ClusterFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Cluster

    partnership = factory.SubFactory(PartnershipFactory)
    name = factory.Sequence(lambda n: f"Cluster {n}")


class SchoolFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = School

    partnership = factory.SubFactory(PartnershipFactory)
    official_number = factory.Sequence(lambda n: f"{6600000 + n}")
    name = factory.Sequence(lambda n: f"Ysgol Test {n}")
    phase = Phase.PRIMARY
    language_medium = LanguageMedium.ENGLISH
    local_authority = factory.SubFactory(
        LocalAuthorityFactory, partnership=factory.SelfAttribute("..partnership")
    )
    pupils = 210
    fsm_percent = 18.5
    support_category = SupportCategory.GREEN


class SchoolImprovementGroupFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = SchoolImprovementGroup
        skip_postgeneration_save = True

    partnership = factory.SubFactory(PartnershipFactory)
    name = factory.Sequence(lambda n: f"SIG {n}")

    @factory.post_generation
    def schools(obj, create, extracted, **kwargs):  # noqa: N805
        if create and extracted:
            obj.schools.set(extracted)


class CategoryChangeFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = CategoryChange

    partnership = factory.SubFactory(PartnershipFactory)
    school = factory.SubFactory(SchoolFactory, partnership=factory.SelfAttribute("..partnership"))
    category = SupportCategory.YELLOW
    reason = "Outcomes improving; leadership capacity secure."


class MembershipFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Membership

    partnership = factory.SubFactory(PartnershipFactory)
    user = factory.SubFactory(UserFactory)
    role = Role.PARTNERSHIP_ADMIN
    school = None


class InvitationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Invitation

    partnership = factory.SubFactory(PartnershipFactory)
    email = factory.Sequence(lambda n: f"invitee{n}@example.org")
    role = Role.CHALLENGE_ADVISER
    expires_at = factory.LazyFunction(lambda: timezone.now() + timezone.timedelta(days=14))


class OutboundEmailFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = OutboundEmail

    partnership = factory.SubFactory(PartnershipFactory)
    key = factory.Sequence(lambda n: f"test-email-{n}")
    to = "someone@example.org"
    subject = "Subject"
    body = "Body"


#: One factory per tenant-owned model. The isolation test builds one row of each in another
#: partnership and fails if a tenant model is missing here, so new models must be added.
TENANT_FACTORIES: dict[type, type[factory.django.DjangoModelFactory]] = {
    Area: AreaFactory,
    Membership: MembershipFactory,
    Invitation: InvitationFactory,
    OutboundEmail: OutboundEmailFactory,
    LocalAuthority: LocalAuthorityFactory,
    Cluster: ClusterFactory,
    School: SchoolFactory,
    SchoolImprovementGroup: SchoolImprovementGroupFactory,
    CategoryChange: CategoryChangeFactory,
}
