"""factory_boy factories: one per model, building realistic rows.

Convention: a tenant model's factory takes `partnership`, and every tenant SubFactory
inherits it with `partnership=factory.SelfAttribute("..partnership")`, so one call builds a
consistent set of rows inside one partnership.
"""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import factory
from django.db.models import F
from django.utils import timezone

from brokerage.models import (
    AgreementOutcome,
    CategoryOverride,
    DeliveryLanguage,
    DeliverySession,
    Funding,
    Need,
    NeedDecline,
    ObjectivesMet,
    Offer,
    SupportAgreement,
    current_academic_year,
)
from hubs import models as hub_models
from partnership.models import (
    Area,
    Invitation,
    Membership,
    OutboundEmail,
    Partnership,
    Role,
    Term,
    User,
)
from peerreview import models as pr_models
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


# --- Brokerage ---------------------------------------------------------------------------


class NeedFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Need

    partnership = factory.SubFactory(PartnershipFactory)
    school = factory.SubFactory(SchoolFactory, partnership=factory.SelfAttribute("..partnership"))
    area = factory.SubFactory(AreaFactory, partnership=factory.SelfAttribute("..partnership"))
    title = factory.Sequence(lambda n: f"Improve reading in key stage 2 ({n})")
    description = "Reading scores at the end of key stage 2 have fallen for two years."
    outcome = "Teachers use guided reading well; reading scores back to the county average."
    days_wanted = Decimal("4")


class OfferFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Offer
        skip_postgeneration_save = True

    partnership = factory.SubFactory(PartnershipFactory)
    school = factory.SubFactory(SchoolFactory, partnership=factory.SelfAttribute("..partnership"))
    area = factory.SubFactory(AreaFactory, partnership=factory.SelfAttribute("..partnership"))
    title = factory.Sequence(lambda n: f"Guided reading coaching ({n})")
    description = "Our literacy lead coaches teachers in guided reading, in class and after school."
    academic_year = factory.LazyFunction(current_academic_year)
    days_available = Decimal("10")
    language = DeliveryLanguage.ENGLISH
    evidence = "Reading outcomes well above the county average for three years."
    contact_name = "Sian Evans"
    contact_email = "literacy.lead@example.org"

    @factory.post_generation
    def other_areas(obj, create, extracted, **kwargs):  # noqa: N805
        if create and extracted:
            obj.other_areas.set(extracted)


class CategoryOverrideFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = CategoryOverride

    partnership = factory.SubFactory(PartnershipFactory)
    need = factory.SubFactory(NeedFactory, partnership=factory.SelfAttribute("..partnership"))
    provider = factory.SubFactory(SchoolFactory, partnership=factory.SelfAttribute("..partnership"))
    reason = "The only Welsh-medium provider with this strength within reach."


class NeedDeclineFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = NeedDecline

    partnership = factory.SubFactory(PartnershipFactory)
    need = factory.SubFactory(NeedFactory, partnership=factory.SelfAttribute("..partnership"))
    provider = factory.SubFactory(SchoolFactory, partnership=factory.SelfAttribute("..partnership"))
    reason = "No capacity until the summer term."


#: The need's status that goes with an agreement's status.
_NEED_STATUS_FOR_AGREEMENT = {
    SupportAgreement.Status.PROPOSED: Need.Status.BROKERED,
    SupportAgreement.Status.ACTIVE: Need.Status.IN_PROGRESS,
    SupportAgreement.Status.CLOSED: Need.Status.MET,
    SupportAgreement.Status.DECLINED: Need.Status.OPEN,
}


class SupportAgreementFactory(factory.django.DjangoModelFactory):
    """An agreement with its need and offer. Like the service, it draws its days from the
    offer (unless declined), so the offer's capacity stays true."""

    class Meta:
        model = SupportAgreement
        skip_postgeneration_save = True

    partnership = factory.SubFactory(PartnershipFactory)
    status = SupportAgreement.Status.PROPOSED
    need = factory.SubFactory(
        NeedFactory,
        partnership=factory.SelfAttribute("..partnership"),
        status=factory.LazyAttribute(lambda o: _NEED_STATUS_FOR_AGREEMENT[o.factory_parent.status]),
    )
    offer = factory.SubFactory(
        OfferFactory,
        partnership=factory.SelfAttribute("..partnership"),
        area=factory.SelfAttribute("..need.area"),
    )
    receiving_school = factory.SelfAttribute("need.school")
    provider = factory.SelfAttribute("offer.school")
    days = Decimal("2")
    starts_on = factory.LazyFunction(timezone.localdate)
    ends_on = factory.LazyAttribute(lambda o: o.starts_on + timedelta(days=90))
    objectives = "Two coaching cycles in year 5 and 6; a reading action plan agreed with staff."
    funding = Funding.FREE

    @factory.post_generation
    def draw_days(obj, create, extracted, **kwargs):  # noqa: N805
        if create and obj.status != SupportAgreement.Status.DECLINED:
            Offer.objects.filter(pk=obj.offer_id).update(
                days_committed=F("days_committed") + obj.days
            )
            obj.offer.refresh_from_db(fields=["days_committed"])


class DeliverySessionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = DeliverySession

    partnership = factory.SubFactory(PartnershipFactory)
    agreement = factory.SubFactory(
        SupportAgreementFactory,
        partnership=factory.SelfAttribute("..partnership"),
        status=SupportAgreement.Status.ACTIVE,
    )
    date = factory.LazyFunction(timezone.localdate)
    days = Decimal("1")
    notes = "Coaching in year 5; lesson study planned for next visit."


class AgreementOutcomeFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = AgreementOutcome

    partnership = factory.SubFactory(PartnershipFactory)
    agreement = factory.SubFactory(
        SupportAgreementFactory,
        partnership=factory.SelfAttribute("..partnership"),
        status=SupportAgreement.Status.CLOSED,
    )
    objectives_met = ObjectivesMet.YES
    rating = 3
    evidence = "Year 6 reading scores up 8 points; guided reading seen in every class."


TENANT_FACTORIES.update(
    {
        Need: NeedFactory,
        Offer: OfferFactory,
        CategoryOverride: CategoryOverrideFactory,
        NeedDecline: NeedDeclineFactory,
        SupportAgreement: SupportAgreementFactory,
        DeliverySession: DeliverySessionFactory,
        AgreementOutcome: AgreementOutcomeFactory,
    }
)


# --- Hubs, programmes and commissioning --------------------------------------------------


class HubFactory(factory.django.DjangoModelFactory):
    """A designated hub with one school (pass schools=[...] for a distributed hub)."""

    class Meta:
        model = hub_models.Hub
        skip_postgeneration_save = True

    partnership = factory.SubFactory(PartnershipFactory)
    name = factory.Sequence(lambda n: f"Numeracy hub {n}")
    area = factory.SubFactory(AreaFactory, partnership=factory.SelfAttribute("..partnership"))
    starts_on = factory.LazyFunction(lambda: timezone.localdate() - timedelta(days=30))
    ends_on = factory.LazyFunction(lambda: timezone.localdate() + timedelta(days=335))
    status = hub_models.HubStatus.DESIGNATED

    @factory.post_generation
    def schools(obj, create, extracted, **kwargs):  # noqa: N805
        if create:
            obj.schools.set(extracted or [SchoolFactory(partnership=obj.partnership)])


class ServiceLevelAgreementFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = hub_models.ServiceLevelAgreement

    partnership = factory.SubFactory(PartnershipFactory)
    hub = factory.SubFactory(HubFactory, partnership=factory.SelfAttribute("..partnership"))
    starts_on = factory.SelfAttribute("hub.starts_on")
    ends_on = factory.SelfAttribute("hub.ends_on")
    funding = Decimal("20000.00")


class DeliverableFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = hub_models.Deliverable

    partnership = factory.SubFactory(PartnershipFactory)
    agreement = factory.SubFactory(
        ServiceLevelAgreementFactory, partnership=factory.SelfAttribute("..partnership")
    )
    kind = hub_models.DeliverableKind.NETWORK_MEETINGS
    title = "Run a numeracy network meeting every term"
    due_on = factory.LazyAttribute(lambda o: o.agreement.starts_on + timedelta(days=90))


class BudgetLineFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = hub_models.BudgetLine

    partnership = factory.SubFactory(PartnershipFactory)
    agreement = factory.SubFactory(
        ServiceLevelAgreementFactory, partnership=factory.SelfAttribute("..partnership")
    )
    category = hub_models.BudgetCategory.STAFFING
    description = "Supply cover for lead practitioners"
    planned = Decimal("6000.00")
    actual = Decimal("1500.00")


class RedesignationCriterionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = hub_models.RedesignationCriterion

    partnership = factory.SubFactory(PartnershipFactory)
    title = factory.Sequence(lambda n: f"Evidence of impact on pupils' learning ({n})")
    position = factory.Sequence(lambda n: n)


class RedesignationReviewFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = hub_models.RedesignationReview

    partnership = factory.SubFactory(PartnershipFactory)
    agreement = factory.SubFactory(
        ServiceLevelAgreementFactory, partnership=factory.SelfAttribute("..partnership")
    )
    hub = factory.SelfAttribute("agreement.hub")
    decision = hub_models.RedesignationDecision.END
    reasons = "Deliverables were missed two terms running."


class CriterionJudgementFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = hub_models.CriterionJudgement

    partnership = factory.SubFactory(PartnershipFactory)
    review = factory.SubFactory(
        RedesignationReviewFactory, partnership=factory.SelfAttribute("..partnership")
    )
    criterion = factory.SubFactory(
        RedesignationCriterionFactory, partnership=factory.SelfAttribute("..partnership")
    )
    judgement = hub_models.Judgement.PARTLY_MET


class ProgrammeFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = hub_models.Programme

    partnership = factory.SubFactory(PartnershipFactory)
    hub = factory.SubFactory(HubFactory, partnership=factory.SelfAttribute("..partnership"))
    title = factory.Sequence(lambda n: f"Maths mastery in key stage 2 ({n})")
    description = "Six sessions on teaching for mastery, with gap tasks between sessions."
    area = factory.SelfAttribute("hub.area")
    phases = factory.LazyFunction(lambda: [Phase.PRIMARY])
    audience_roles = factory.LazyFunction(lambda: [hub_models.AudienceRole.TEACHER])
    places = 20
    delivery_language = hub_models.DeliveryLanguage.ENGLISH
    status = hub_models.ProgrammeStatus.OPEN


class ProgrammeSessionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = hub_models.ProgrammeSession

    partnership = factory.SubFactory(PartnershipFactory)
    programme = factory.SubFactory(
        ProgrammeFactory, partnership=factory.SelfAttribute("..partnership")
    )
    date = factory.LazyFunction(lambda: timezone.localdate() + timedelta(days=14))
    starts_at = factory.LazyFunction(lambda: timezone.datetime(2000, 1, 1, 9, 30).time())
    ends_at = factory.LazyFunction(lambda: timezone.datetime(2000, 1, 1, 15, 30).time())
    venue = "Canolfan y Cwm, Room 2"


class GroupEnrolmentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = hub_models.GroupEnrolment

    partnership = factory.SubFactory(PartnershipFactory)
    programme = factory.SubFactory(
        ProgrammeFactory, partnership=factory.SelfAttribute("..partnership")
    )
    cluster = factory.SubFactory(ClusterFactory, partnership=factory.SelfAttribute("..partnership"))


class EnrolmentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = hub_models.Enrolment

    partnership = factory.SubFactory(PartnershipFactory)
    programme = factory.SubFactory(
        ProgrammeFactory, partnership=factory.SelfAttribute("..partnership")
    )
    school = factory.SubFactory(SchoolFactory, partnership=factory.SelfAttribute("..partnership"))
    participant_name = factory.Faker("name", locale="en_GB")
    participant_email = factory.Sequence(lambda n: f"teacher{n}@school.example")
    participant_role = hub_models.AudienceRole.TEACHER
    status = hub_models.EnrolmentStatus.CONFIRMED


class AttendanceFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = hub_models.Attendance

    partnership = factory.SubFactory(PartnershipFactory)
    session = factory.SubFactory(
        ProgrammeSessionFactory, partnership=factory.SelfAttribute("..partnership")
    )
    enrolment = factory.SubFactory(
        EnrolmentFactory,
        partnership=factory.SelfAttribute("..partnership"),
        programme=factory.SelfAttribute("..session.programme"),
    )
    attended = True


class CallFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = hub_models.Call

    partnership = factory.SubFactory(PartnershipFactory)
    title = factory.Sequence(lambda n: f"Early reading provision ({n})")
    area = factory.SubFactory(AreaFactory, partnership=factory.SelfAttribute("..partnership"))
    need = "The needs survey shows early reading is the first need of 14 primary schools."
    brief = "A programme for reception and year 1 teachers on systematic phonics."
    budget = Decimal("20000.00")
    deadline = factory.LazyFunction(lambda: timezone.now() + timedelta(days=21))
    status = hub_models.CallStatus.OPEN


class CallCriterionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = hub_models.CallCriterion

    partnership = factory.SubFactory(PartnershipFactory)
    call = factory.SubFactory(CallFactory, partnership=factory.SelfAttribute("..partnership"))
    title = factory.Sequence(lambda n: f"Evidence of impact ({n})")
    weight = 40
    position = factory.Sequence(lambda n: n)


class BidFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = hub_models.Bid

    partnership = factory.SubFactory(PartnershipFactory)
    call = factory.SubFactory(CallFactory, partnership=factory.SelfAttribute("..partnership"))
    school = factory.SubFactory(SchoolFactory, partnership=factory.SelfAttribute("..partnership"))
    proposal = "Our phonics lead and two trained teachers run six twilight sessions."
    delivery_plan = "Autumn: training; spring: coaching visits; summer: review of outcomes."
    cost = Decimal("18000.00")
    capacity = 24
    delivery_language = hub_models.DeliveryLanguage.BILINGUAL


class BidScoreFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = hub_models.BidScore

    partnership = factory.SubFactory(PartnershipFactory)
    bid = factory.SubFactory(BidFactory, partnership=factory.SelfAttribute("..partnership"))
    criterion = factory.SubFactory(
        CallCriterionFactory,
        partnership=factory.SelfAttribute("..partnership"),
        call=factory.SelfAttribute("..bid.call"),
    )
    score = 4


class AwardFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = hub_models.Award

    partnership = factory.SubFactory(PartnershipFactory)
    call = factory.SubFactory(
        CallFactory,
        partnership=factory.SelfAttribute("..partnership"),
        status=hub_models.CallStatus.AWARDED,
    )
    bid = factory.SubFactory(
        BidFactory,
        partnership=factory.SelfAttribute("..partnership"),
        call=factory.SelfAttribute("..call"),
        status=hub_models.BidStatus.SUCCESSFUL,
    )
    reasons = "Strongest evidence of impact and a realistic delivery plan."
    agreement = factory.SubFactory(
        ServiceLevelAgreementFactory, partnership=factory.SelfAttribute("..partnership")
    )
    hub = factory.SelfAttribute("agreement.hub")
    programme = factory.SubFactory(
        ProgrammeFactory,
        partnership=factory.SelfAttribute("..partnership"),
        hub=factory.SelfAttribute("..agreement.hub"),
        status=hub_models.ProgrammeStatus.DRAFT,
    )


class DocumentFactory(factory.django.DjangoModelFactory):
    """An evidence file row. No bytes are written: tests that download use the service."""

    class Meta:
        model = hub_models.Document

    partnership = factory.SubFactory(PartnershipFactory)
    kind = hub_models.DocumentKind.EVIDENCE
    deliverable = factory.SubFactory(
        DeliverableFactory, partnership=factory.SelfAttribute("..partnership")
    )
    file = factory.LazyAttribute(lambda o: f"{o.partnership.pk}/{o.uuid}")
    uuid = factory.Faker("uuid4", cast_to=None)
    original_name = "network-meeting-minutes.pdf"
    content_type = "application/pdf"
    size = 2048


TENANT_FACTORIES.update(
    {
        hub_models.Hub: HubFactory,
        hub_models.ServiceLevelAgreement: ServiceLevelAgreementFactory,
        hub_models.Deliverable: DeliverableFactory,
        hub_models.BudgetLine: BudgetLineFactory,
        hub_models.RedesignationCriterion: RedesignationCriterionFactory,
        hub_models.RedesignationReview: RedesignationReviewFactory,
        hub_models.CriterionJudgement: CriterionJudgementFactory,
        hub_models.Programme: ProgrammeFactory,
        hub_models.ProgrammeSession: ProgrammeSessionFactory,
        hub_models.GroupEnrolment: GroupEnrolmentFactory,
        hub_models.Enrolment: EnrolmentFactory,
        hub_models.Attendance: AttendanceFactory,
        hub_models.Call: CallFactory,
        hub_models.CallCriterion: CallCriterionFactory,
        hub_models.Bid: BidFactory,
        hub_models.BidScore: BidScoreFactory,
        hub_models.Award: AwardFactory,
        hub_models.Document: DocumentFactory,
    }
)


# --- Peer review -------------------------------------------------------------------------


class ReviewerProfileFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = pr_models.ReviewerProfile

    partnership = factory.SubFactory(PartnershipFactory)
    user = factory.SubFactory(UserFactory)
    school = factory.SubFactory(SchoolFactory, partnership=factory.SelfAttribute("..partnership"))
    trained_on = factory.LazyFunction(lambda: timezone.localdate() - timedelta(days=200))


class FrameworkFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = pr_models.Framework

    partnership = factory.SubFactory(PartnershipFactory)
    name = factory.Sequence(lambda n: f"Peer review framework {n}")


class FrameworkVersionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = pr_models.FrameworkVersion

    partnership = factory.SubFactory(PartnershipFactory)
    framework = factory.SubFactory(
        FrameworkFactory, partnership=factory.SelfAttribute("..partnership")
    )
    number = 1
    status = pr_models.FrameworkVersion.Status.PUBLISHED
    published_at = factory.LazyFunction(timezone.now)


class FrameworkAreaFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = pr_models.FrameworkArea

    partnership = factory.SubFactory(PartnershipFactory)
    version = factory.SubFactory(
        FrameworkVersionFactory, partnership=factory.SelfAttribute("..partnership")
    )
    name = factory.Sequence(lambda n: f"Review area {n}")
    prompts = "How well do leaders know the school?\nHow is teaching improved?"
    evidence_sources = "Self-evaluation\nLesson visits"
    position = factory.Sequence(lambda n: n)


class CycleFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = pr_models.Cycle

    partnership = factory.SubFactory(PartnershipFactory)
    name = factory.Sequence(lambda n: f"Peer review cycle {n}")
    window_start = factory.LazyFunction(lambda: timezone.localdate() - timedelta(days=30))
    window_end = factory.LazyFunction(lambda: timezone.localdate() + timedelta(days=120))
    academic_year = factory.LazyAttribute(
        lambda o: (
            f"{o.window_start.year - (o.window_start.month < 9)}/"
            f"{(o.window_start.year - (o.window_start.month < 9) + 1) % 100:02d}"
        )
    )
    framework_version = factory.SubFactory(
        FrameworkVersionFactory, partnership=factory.SelfAttribute("..partnership")
    )
    group_kind = pr_models.GroupKind.TEAM
    team_size = 2
    max_reviews_per_reviewer = 2


class CycleParticipationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = pr_models.CycleParticipation

    partnership = factory.SubFactory(PartnershipFactory)
    cycle = factory.SubFactory(CycleFactory, partnership=factory.SelfAttribute("..partnership"))
    status = pr_models.CycleParticipation.Status.AGREED
    is_host = factory.LazyAttribute(lambda o: o.cycle.partnership_id == o.partnership.pk)


class ReviewGroupFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = pr_models.ReviewGroup

    partnership = factory.SubFactory(PartnershipFactory)
    cycle = factory.SubFactory(CycleFactory, partnership=factory.SelfAttribute("..partnership"))
    name = factory.Sequence(lambda n: f"Triad {n}")


class ReviewFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = pr_models.Review

    partnership = factory.SubFactory(PartnershipFactory)
    cycle = factory.SubFactory(CycleFactory, partnership=factory.SelfAttribute("..partnership"))
    school = factory.SubFactory(SchoolFactory, partnership=factory.SelfAttribute("..partnership"))


class ReviewTeamMemberFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = pr_models.ReviewTeamMember

    partnership = factory.SubFactory(PartnershipFactory)
    review = factory.SubFactory(ReviewFactory, partnership=factory.SelfAttribute("..partnership"))
    profile = factory.SubFactory(
        ReviewerProfileFactory, partnership=factory.SelfAttribute("..partnership")
    )
    reviewer = factory.SelfAttribute("profile.user")
    is_lead = False


class VisitFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = pr_models.Visit

    partnership = factory.SubFactory(PartnershipFactory)
    review = factory.SubFactory(ReviewFactory, partnership=factory.SelfAttribute("..partnership"))
    date = factory.LazyAttribute(lambda o: o.review.cycle.window_start + timedelta(days=14))
    location = "Main reception"
    agenda = "08:45 Meet the headteacher\n09:30 Learning walk"


class EvidenceNoteFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = pr_models.EvidenceNote

    partnership = factory.SubFactory(PartnershipFactory)
    review = factory.SubFactory(ReviewFactory, partnership=factory.SelfAttribute("..partnership"))
    area = factory.SubFactory(
        FrameworkAreaFactory,
        partnership=factory.SelfAttribute("..partnership"),
        version=factory.SelfAttribute("..review.cycle.framework_version"),
    )
    author = factory.SubFactory(UserFactory)
    text = "Pupils in Year 5 explained their targets confidently."


class FindingsFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = pr_models.Findings

    partnership = factory.SubFactory(PartnershipFactory)
    review = factory.SubFactory(ReviewFactory, partnership=factory.SelfAttribute("..partnership"))
    summary = "A reflective school with a clear sense of direction."


class AreaFindingFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = pr_models.AreaFinding

    partnership = factory.SubFactory(PartnershipFactory)
    findings = factory.SubFactory(
        FindingsFactory, partnership=factory.SelfAttribute("..partnership")
    )
    area = factory.SubFactory(
        FrameworkAreaFactory,
        partnership=factory.SelfAttribute("..partnership"),
        version=factory.SelfAttribute("..findings.review.cycle.framework_version"),
    )
    went_well = "Leaders know the school's strengths well."
    even_better_if = "Middle leaders shared the evaluation of teaching."


class SchoolResponseFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = pr_models.SchoolResponse

    partnership = factory.SubFactory(PartnershipFactory)
    review = factory.SubFactory(ReviewFactory, partnership=factory.SelfAttribute("..partnership"))
    response = "We welcome the findings."
    action_plan = "Middle leaders join the next learning walks."
    follow_up_on = factory.LazyFunction(lambda: timezone.localdate() + timedelta(days=90))


class FindingsShareFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = pr_models.FindingsShare

    partnership = factory.SubFactory(PartnershipFactory)
    review = factory.SubFactory(ReviewFactory, partnership=factory.SelfAttribute("..partnership"))
    audience = pr_models.ShareAudience.GOVERNORS


class FindingsAccessFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = pr_models.FindingsAccess

    partnership = factory.SubFactory(PartnershipFactory)
    review = factory.SubFactory(ReviewFactory, partnership=factory.SelfAttribute("..partnership"))
    user = factory.SubFactory(UserFactory)
    user_label = factory.LazyAttribute(lambda o: o.user.email)
    basis = pr_models.AccessBasis.TEAM


TENANT_FACTORIES.update(
    {
        pr_models.ReviewerProfile: ReviewerProfileFactory,
        pr_models.Framework: FrameworkFactory,
        pr_models.FrameworkVersion: FrameworkVersionFactory,
        pr_models.FrameworkArea: FrameworkAreaFactory,
        pr_models.Cycle: CycleFactory,
        pr_models.CycleParticipation: CycleParticipationFactory,
        pr_models.ReviewGroup: ReviewGroupFactory,
        pr_models.Review: ReviewFactory,
        pr_models.ReviewTeamMember: ReviewTeamMemberFactory,
        pr_models.Visit: VisitFactory,
        pr_models.EvidenceNote: EvidenceNoteFactory,
        pr_models.Findings: FindingsFactory,
        pr_models.AreaFinding: AreaFindingFactory,
        pr_models.SchoolResponse: SchoolResponseFactory,
        pr_models.FindingsShare: FindingsShareFactory,
        pr_models.FindingsAccess: FindingsAccessFactory,
    }
)


# --- Panels ----------------------------------------------------------------------------------

from panels import models as panel_models  # noqa: E402


class PanelFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = panel_models.Panel

    partnership = factory.SubFactory(PartnershipFactory)
    name = factory.Sequence(lambda n: f"Panel {n}")
    area = factory.SubFactory(AreaFactory, partnership=factory.SelfAttribute("..partnership"))
    purpose = "Reviews regional need and commissions provision for the area."
    terms_of_reference = "Meets each term; quorum of five; decisions by consensus."


class SeatFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = panel_models.Seat

    partnership = factory.SubFactory(PartnershipFactory)
    panel = factory.SubFactory(PanelFactory, partnership=factory.SelfAttribute("..partnership"))
    seat_type = panel_models.SeatType.TEACHER


class PanelMemberFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = panel_models.PanelMember

    partnership = factory.SubFactory(PartnershipFactory)
    seat = factory.SubFactory(SeatFactory, partnership=factory.SelfAttribute("..partnership"))
    user = factory.SubFactory(UserFactory)
    starts_on = factory.LazyFunction(lambda: timezone.localdate() - timedelta(days=100))
    ends_on = factory.LazyFunction(lambda: timezone.localdate() + timedelta(days=630))


class IdentifiedNeedFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = panel_models.IdentifiedNeed

    partnership = factory.SubFactory(PartnershipFactory)
    panel = factory.SubFactory(PanelFactory, partnership=factory.SelfAttribute("..partnership"))
    title = factory.Sequence(lambda n: f"Oracy in Year 7, cohort {n}")
    description = "The needs survey shows oracy as the top need of secondary schools."


class EvidenceLinkFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = panel_models.EvidenceLink

    partnership = factory.SubFactory(PartnershipFactory)
    need = factory.SubFactory(
        IdentifiedNeedFactory, partnership=factory.SelfAttribute("..partnership")
    )
    title = "Needs survey summary"
    url = "https://example.org/needs-survey"


class MeetingFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = panel_models.Meeting

    partnership = factory.SubFactory(PartnershipFactory)
    panel = factory.SubFactory(PanelFactory, partnership=factory.SelfAttribute("..partnership"))
    starts_at = factory.LazyFunction(lambda: timezone.now() + timedelta(days=14))
    ends_at = factory.LazyAttribute(lambda o: o.starts_at + timedelta(hours=2))
    place = "Canolfan y Cwm, Room 2"


class AgendaItemFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = panel_models.AgendaItem

    partnership = factory.SubFactory(PartnershipFactory)
    meeting = factory.SubFactory(MeetingFactory, partnership=factory.SelfAttribute("..partnership"))
    title = factory.Sequence(lambda n: f"Agenda item {n}")


class MeetingAttendanceFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = panel_models.MeetingAttendance

    partnership = factory.SubFactory(PartnershipFactory)
    meeting = factory.SubFactory(MeetingFactory, partnership=factory.SelfAttribute("..partnership"))
    user = factory.SubFactory(UserFactory)
    status = panel_models.AttendanceStatus.PRESENT


class ActionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = panel_models.Action

    partnership = factory.SubFactory(PartnershipFactory)
    meeting = factory.SubFactory(MeetingFactory, partnership=factory.SelfAttribute("..partnership"))
    description = factory.Sequence(lambda n: f"Circulate the evaluation summary {n}")
    owner = factory.SubFactory(UserFactory)
    due_on = factory.LazyFunction(lambda: timezone.localdate() + timedelta(days=21))


TENANT_FACTORIES.update(
    {
        panel_models.Panel: PanelFactory,
        panel_models.Seat: SeatFactory,
        panel_models.PanelMember: PanelMemberFactory,
        panel_models.IdentifiedNeed: IdentifiedNeedFactory,
        panel_models.EvidenceLink: EvidenceLinkFactory,
        panel_models.Meeting: MeetingFactory,
        panel_models.AgendaItem: AgendaItemFactory,
        panel_models.MeetingAttendance: MeetingAttendanceFactory,
        panel_models.Action: ActionFactory,
    }
)


class CategoryModerationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = pr_models.CategoryModeration

    partnership = factory.SubFactory(PartnershipFactory)
    review = factory.SubFactory(ReviewFactory, partnership=factory.SelfAttribute("..partnership"))
    claimed_category = SupportCategory.AMBER
    verdict = pr_models.ModerationVerdict.CONFIRMED
    rationale = "The review's findings match the school's own evaluation."


TENANT_FACTORIES[pr_models.CategoryModeration] = CategoryModerationFactory


class TermFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Term
        django_get_or_create = ("partnership", "academic_year", "season")

    partnership = factory.SubFactory(PartnershipFactory)
    academic_year = "2026/27"
    season = Term.Season.AUTUMN
    starts_on = factory.LazyFunction(lambda: timezone.localdate() - timedelta(days=60))
    ends_on = factory.LazyFunction(lambda: timezone.localdate() + timedelta(days=30))


TENANT_FACTORIES[Term] = TermFactory

# Apps built later keep their factories in tests/<app>/factories.py and register them
# in TENANT_FACTORIES there; importing them here makes every tenant model probed.
from tests.audit import factories as _audit_factories  # noqa: E402, F401
from tests.casework import factories as _casework_factories  # noqa: E402, F401
from tests.collaboration import factories as _collaboration_factories  # noqa: E402, F401
from tests.panels import factories as _panels_factories  # noqa: E402, F401
from tests.reports import factories as _reports_factories  # noqa: E402, F401
from tests.surveys import factories as _surveys_factories  # noqa: E402, F401
