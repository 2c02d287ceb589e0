"""Demo hubs, programmes, enrolments and commissioning for `manage.py seed_demo`.

Run by partnership.demo.seed() (listed in its SEEDERS) after the schools and people exist.
Each partnership gets, from a fixed description below:

- hubs with a service level agreement, deliverables (done, in progress, overdue) and budget
  lines with actual spend; in Wales a distributed Welsh-medium hub of several schools, in
  England a distributed early-years hub of several primaries; the printed hub lead's school
  leads the first hub, so that login has a hub;
- programmes with sessions and enrolments: one open, one full with a waiting list, one
  finished with its registers taken, one running, one draft; the printed headteacher's
  school has staff on some of them and the printed participant is on the finished one;
- an open call for provision with bids (one from the printed headteacher's school), and a
  finished call with scored bids and an award, whose winner runs the hub it created.

Idempotent like every seeder: hubs and calls are found by name and title, programmes by hub
and title, and only what is missing is added (a programme brings its sessions, enrolments
and registers; a call its criteria, bids, scores and award). Deterministic: the numbers
come from ctx.random(), dates are relative to the run's `ctx.now`.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, time, timedelta
from decimal import Decimal

from django.utils.translation import gettext_lazy

from partnership.demo import DemoContext, Kind
from partnership.models import Area, Country, Membership, Role, User
from schools.models import LanguageMedium, Phase, School

from .models import (
    Attendance,
    AudienceRole,
    Award,
    Bid,
    BidScore,
    BidStatus,
    BudgetCategory,
    BudgetLine,
    Call,
    CallCriterion,
    CallStatus,
    Deliverable,
    DeliverableKind,
    DeliverableStatus,
    DeliveryLanguage,
    Enrolment,
    EnrolmentStatus,
    Hub,
    HubStatus,
    Programme,
    ProgrammeSession,
    ProgrammeStatus,
    ServiceLevelAgreement,
)
from .services import weighted_percent

BATCH_SIZE = 500
HUB_SCHOOLS = Kind(gettext_lazy("hub school"), gettext_lazy("hub schools"))

# --- The description -----------------------------------------------------------------------


@dataclass(frozen=True)
class ProgrammeSpec:
    title: str
    description: str
    places: int
    status: str
    #: Days from today of each session (negative: already held, with the register taken).
    sessions: tuple[int, ...]
    #: People enrolled, in order; those beyond the places are on the waiting list.
    enrolled: int
    language: str = DeliveryLanguage.ENGLISH
    phases: tuple[str, ...] = ()
    audience: tuple[str, ...] = ()
    price: Decimal | None = None
    #: How many of the enrolled are staff of the printed headteacher's school.
    featured: int = 0
    #: The printed participant (a teacher of that school) is the first enrolled.
    participant: bool = False
    #: Share of register marks that say "attended".
    attendance: float = 0.85


@dataclass(frozen=True)
class HubSpec:
    name: str
    area: str
    #: Which schools: "hub_school" (the printed hub lead's), "welsh" (Welsh-medium schools
    #: of different clusters) or "primaries" (primaries of different clusters).
    schools: str
    size: int
    funding: Decimal
    description: str
    programmes: tuple[ProgrammeSpec, ...]
    #: (category, description, planned, actual)
    budget: tuple[tuple[str, str, str, str], ...]
    #: (kind, title, days from today it is due, status)
    deliverables: tuple[tuple[str, str, int, str], ...]
    status: str = HubStatus.DESIGNATED


@dataclass(frozen=True)
class CallSpec:
    title: str
    area: str
    need: str
    brief: str
    budget: Decimal
    #: Days from now of the deadline (negative: closed).
    deadline: int
    #: (title, weight)
    criteria: tuple[tuple[str, int], ...]
    bidders: int
    #: The printed headteacher's school is one of the bidders.
    featured_bids: bool = False
    #: For a decided call: the hub the award created, run by the winner.
    award: HubSpec | None = None


@dataclass(frozen=True)
class DemoHubs:
    hubs: tuple[HubSpec, ...]
    calls: tuple[CallSpec, ...] = field(default=())


DONE, DOING, TO_DO = (
    DeliverableStatus.DONE,
    DeliverableStatus.IN_PROGRESS,
    DeliverableStatus.NOT_STARTED,
)
STANDARD_DELIVERABLES = (
    (DeliverableKind.NETWORK_MEETINGS, "Run a network meeting every term", -40, DONE),
    (DeliverableKind.SCHOOL_SUPPORT, "Support a school with maths leadership", 60, DOING),
    (DeliverableKind.REPORT, "Mid-year report to the partnership", -10, TO_DO),
    (DeliverableKind.REPORT, "End-of-year report and evaluation", 300, TO_DO),
)
STANDARD_BUDGET = (
    (BudgetCategory.STAFFING, "Supply cover for lead practitioners", "9000", "6150.00"),
    (BudgetCategory.VENUES, "Venues and refreshments for network meetings", "2000", "845.50"),
    (BudgetCategory.RESOURCES, "Resources for participating schools", "3000", "1210.00"),
)

WALES = DemoHubs(
    hubs=(
        HubSpec(
            name="Gorllewin numeracy hub",
            area="mathematics-numeracy",
            schools="hub_school",
            size=1,
            funding=Decimal("20000"),
            description="Mathematics and numeracy across the consortium: networks for maths "
            "leaders, programmes for teachers and support for named schools.",
            budget=STANDARD_BUDGET,
            deliverables=STANDARD_DELIVERABLES,
            programmes=(
                ProgrammeSpec(
                    "Maths mastery in key stage 2",
                    "Six sessions on teaching for mastery, with gap tasks in class between "
                    "sessions and a lesson study in the spring.",
                    places=24,
                    status=ProgrammeStatus.OPEN,
                    sessions=(14, 42, 70),
                    enrolled=11,
                    phases=(Phase.PRIMARY,),
                    audience=(AudienceRole.TEACHER, AudienceRole.MIDDLE_LEADER),
                    featured=2,
                ),
                ProgrammeSpec(
                    "Reasoning in the early years",
                    "Number sense and early reasoning through play, for nursery and "
                    "reception staff.",
                    places=12,
                    status=ProgrammeStatus.FULL,
                    sessions=(21, 49),
                    enrolled=16,
                    phases=(Phase.NURSERY, Phase.PRIMARY),
                    audience=(AudienceRole.TEACHER, AudienceRole.TEACHING_ASSISTANT),
                    featured=1,
                ),
                ProgrammeSpec(
                    "Leading maths across the school",
                    "For maths leaders: curriculum design, monitoring and coaching colleagues.",
                    places=16,
                    status=ProgrammeStatus.FINISHED,
                    sessions=(-150, -120, -90),
                    enrolled=14,
                    audience=(AudienceRole.MIDDLE_LEADER, AudienceRole.SENIOR_LEADER),
                    participant=True,
                ),
                ProgrammeSpec(
                    "Number sense for teaching assistants",
                    "Short practical sessions for teaching assistants supporting number.",
                    places=20,
                    status=ProgrammeStatus.DRAFT,
                    sessions=(90,),
                    enrolled=0,
                    audience=(AudienceRole.TEACHING_ASSISTANT,),
                ),
            ),
        ),
        HubSpec(
            name="Hwb Cymraeg Gorllewin",
            area="welsh",
            schools="welsh",
            size=4,
            funding=Decimal("18000"),
            description="A distributed Welsh-medium hub: four Welsh-medium schools share "
            "the work of developing oracy and Welsh across the consortium.",
            budget=(
                (
                    BudgetCategory.STAFFING,
                    "Release time for the four lead teachers",
                    "10000",
                    "7400.00",
                ),
                (BudgetCategory.TRAVEL, "Travel between the hub schools", "1500", "612.40"),
            ),
            deliverables=(
                (
                    DeliverableKind.NETWORK_MEETINGS,
                    "Cyfarfod rhwydwaith bob tymor / termly network",
                    -30,
                    DONE,
                ),
                (
                    DeliverableKind.PROGRAMME,
                    "Deliver the oracy programme to two cohorts",
                    120,
                    DOING,
                ),
            ),
            programmes=(
                ProgrammeSpec(
                    "Oracy in the Welsh-medium classroom",
                    "Iaith lafar: developing pupils' spoken Welsh across the curriculum. "
                    "Delivered in Welsh.",
                    places=20,
                    status=ProgrammeStatus.RUNNING,
                    sessions=(-35, -7, 21),
                    enrolled=18,
                    language=DeliveryLanguage.WELSH,
                    phases=(Phase.PRIMARY, Phase.SECONDARY),
                    featured=0,
                ),
                ProgrammeSpec(
                    "Welsh for teaching assistants (Cymraeg i gynorthwywyr)",
                    "Confidence in using Welsh with pupils, for teaching assistants. "
                    "Bilingual sessions.",
                    places=15,
                    status=ProgrammeStatus.OPEN,
                    sessions=(28, 56),
                    enrolled=6,
                    language=DeliveryLanguage.BILINGUAL,
                    audience=(AudienceRole.TEACHING_ASSISTANT,),
                ),
            ),
        ),
        HubSpec(
            name="Digital competence hub",
            area="digital",
            schools="primaries",
            size=1,
            funding=Decimal("12000"),
            status=HubStatus.UNDER_REVIEW,
            description="Digital competence framework support, under review this year.",
            budget=(
                (BudgetCategory.RESOURCES, "Devices for the lending library", "5000", "4980.00"),
            ),
            deliverables=(
                (
                    DeliverableKind.NETWORK_MEETINGS,
                    "Digital leaders network",
                    -60,
                    DeliverableStatus.MISSED,
                ),
            ),
            programmes=(
                ProgrammeSpec(
                    "Coding across the curriculum",
                    "Block-based coding in every year group, with classroom resources.",
                    places=30,
                    status=ProgrammeStatus.OPEN,
                    sessions=(35,),
                    enrolled=4,
                    price=Decimal("45.00"),
                ),
            ),
        ),
    ),
    calls=(
        CallSpec(
            title="Early reading in Welsh-medium schools",
            area="languages-literacy",
            need="The needs survey shows early reading is the first need of Welsh-medium "
            "primaries in three local authorities.",
            brief="A programme for foundation learning teachers, with coaching in school.",
            budget=Decimal("15000"),
            deadline=21,
            criteria=(("Evidence of impact", 50), ("Delivery plan", 30), ("Value for money", 20)),
            bidders=3,
            featured_bids=True,
        ),
        CallSpec(
            title="Primary science network",
            area="science-technology",
            need="Science is a need for many primaries with no science specialist.",
            brief="A network and a programme for primary science leaders for two years.",
            budget=Decimal("16000"),
            deadline=-60,
            criteria=(("Evidence of impact", 60), ("Delivery plan", 40)),
            bidders=3,
            award=HubSpec(
                name="Primary science hub",
                area="science-technology",
                schools="winner",
                size=1,
                funding=Decimal("0"),  # the winning bid's cost
                description="Commissioned from the call “Primary science network”.",
                budget=(),
                deliverables=(
                    (
                        DeliverableKind.NETWORK_MEETINGS,
                        "Science leaders network every term",
                        30,
                        TO_DO,
                    ),
                ),
                programmes=(
                    ProgrammeSpec(
                        "Primary science network",
                        "Termly network meetings and practical science for primary leaders.",
                        places=25,
                        status=ProgrammeStatus.OPEN,
                        sessions=(30, 120),
                        enrolled=5,
                        phases=(Phase.PRIMARY,),
                    ),
                ),
            ),
        ),
    ),
)

ENGLAND = DemoHubs(
    hubs=(
        HubSpec(
            name="Kingsmere maths hub",
            area="mathematics",
            schools="hub_school",
            size=1,
            funding=Decimal("20000"),
            description="Maths across the borough: networks, programmes and school support.",
            budget=STANDARD_BUDGET,
            deliverables=STANDARD_DELIVERABLES,
            programmes=(
                ProgrammeSpec(
                    "Maths mastery in key stage 2",
                    "Six sessions on teaching for mastery, with gap tasks in class.",
                    places=24,
                    status=ProgrammeStatus.OPEN,
                    sessions=(14, 42, 70),
                    enrolled=9,
                    phases=(Phase.PRIMARY,),
                    featured=2,
                ),
                ProgrammeSpec(
                    "Times tables without tears",
                    "Fluency in multiplication facts for years 3 and 4.",
                    places=10,
                    status=ProgrammeStatus.FULL,
                    sessions=(21,),
                    enrolled=13,
                    phases=(Phase.PRIMARY,),
                    featured=1,
                ),
                ProgrammeSpec(
                    "Leading maths across the school",
                    "For maths leaders: curriculum, monitoring and coaching.",
                    places=16,
                    status=ProgrammeStatus.FINISHED,
                    sessions=(-140, -100),
                    enrolled=12,
                    participant=True,
                ),
            ),
        ),
        HubSpec(
            name="Kingsmere early years hub",
            area="early-years",
            schools="primaries",
            size=3,
            funding=Decimal("15000"),
            description="A distributed hub of three primaries with strong early years.",
            budget=(
                (
                    BudgetCategory.STAFFING,
                    "Release time for the three EYFS leads",
                    "8000",
                    "3900.00",
                ),
            ),
            deliverables=(
                (
                    DeliverableKind.NETWORK_MEETINGS,
                    "Early years network every half term",
                    -20,
                    DONE,
                ),
                (
                    DeliverableKind.SCHOOL_SUPPORT,
                    "Support two schools with communication and language",
                    90,
                    DOING,
                ),
            ),
            programmes=(
                ProgrammeSpec(
                    "Communication and language in the early years",
                    "Talk-rich provision for nursery and reception.",
                    places=20,
                    status=ProgrammeStatus.RUNNING,
                    sessions=(-28, 14),
                    enrolled=15,
                    phases=(Phase.NURSERY, Phase.PRIMARY),
                ),
            ),
        ),
    ),
    calls=(
        CallSpec(
            title="Attendance and inclusion",
            area="wellbeing",
            need="Persistent absence has risen in most of the borough's schools.",
            brief="A programme for attendance leads and pastoral staff.",
            budget=Decimal("12000"),
            deadline=14,
            criteria=(("Evidence of impact", 60), ("Delivery plan", 40)),
            bidders=2,
            featured_bids=True,
        ),
        CallSpec(
            title="Disciplinary literacy in secondary English",
            area="english-literacy",
            need="Reading across the curriculum is the first need of the borough's secondaries.",
            brief="Training and coaching for secondary English and humanities departments.",
            budget=Decimal("14000"),
            deadline=-45,
            criteria=(("Evidence of impact", 50), ("Delivery plan", 50)),
            bidders=2,
            award=HubSpec(
                name="Secondary literacy hub",
                area="english-literacy",
                schools="winner",
                size=1,
                funding=Decimal("0"),
                description="Commissioned from the call "
                "“Disciplinary literacy in secondary English”.",
                budget=(),
                deliverables=(),
                programmes=(
                    ProgrammeSpec(
                        "Disciplinary literacy",
                        "Reading and writing like a historian, a scientist, a critic.",
                        places=20,
                        status=ProgrammeStatus.OPEN,
                        sessions=(25, 60),
                        enrolled=3,
                        phases=(Phase.SECONDARY,),
                    ),
                ),
            ),
        ),
    ),
)


# --- Seeding -------------------------------------------------------------------------------


class _Seeding:
    """One run for one partnership: what exists, the pickers and the writers."""

    def __init__(self, ctx: DemoContext):
        self.ctx = ctx
        self.today = ctx.now.date()
        self.areas = {a.slug: a for a in Area.objects.all()}
        self.plan_schools = [ctx.schools[p.official_number] for p in ctx.plan.schools]
        self.hub_school = ctx.schools[ctx.plan.hub_school.official_number]
        self.featured = ctx.schools[ctx.plan.featured.official_number]
        self.taken: set[int] = {self.hub_school.pk, self.featured.pk}
        self._heads: dict[int, User] | None = None

    # Schools ------------------------------------------------------------------------------

    def _distinct_clusters(self, keep: Callable[[School], bool], size: int) -> list[School]:
        chosen, clusters = [], set()
        for school in self.plan_schools:
            if len(chosen) == size:
                break
            if school.pk in self.taken or not keep(school):
                continue
            if school.cluster_id in clusters:
                continue
            clusters.add(school.cluster_id)
            chosen.append(school)
        return chosen

    def pick_schools(self, which: str, size: int) -> list[School]:
        """Schools for a hub or a set of bidders; any school when too few match (small
        scale-test partnerships)."""
        if which == "hub_school":
            return [self.hub_school]
        filters = {
            "welsh": lambda s: s.language_medium == LanguageMedium.WELSH,
            "primaries": lambda s: s.phase == Phase.PRIMARY,
            "secondaries": lambda s: s.phase in (Phase.SECONDARY, Phase.ALL_THROUGH),
        }
        chosen = self._distinct_clusters(filters.get(which, lambda s: True), size)
        if len(chosen) < size:
            chosen += self._distinct_clusters(lambda s: s not in chosen, size - len(chosen))
        if not chosen:  # a partnership of one or two schools
            chosen = [self.hub_school]
        self.taken.update(s.pk for s in chosen)
        return chosen

    def heads(self) -> dict[int, User]:
        """The headteacher of each school, by school id (two queries, once)."""
        if self._heads is None:
            pairs = list(
                Membership.objects.filter(role=Role.HEADTEACHER, school__isnull=False)
                .order_by("pk")
                .values_list("school_id", "user_id")
            )
            users = User.objects.in_bulk({user_id for _school, user_id in pairs})
            self._heads = {}
            for school_id, user_id in pairs:
                self._heads.setdefault(school_id, users[user_id])
        return self._heads

    # Hubs ---------------------------------------------------------------------------------

    def hub(self, spec: HubSpec, schools: Sequence[School], funding: Decimal) -> Hub | None:
        """The hub of the spec with its agreement, deliverables and budget (when missing)."""
        area = self.areas.get(spec.area)
        if area is None:
            return None
        existing = Hub.objects.filter(name=spec.name).first()
        if existing is not None:
            return existing
        starts_on = self.today - timedelta(days=200)
        ends_on = starts_on + timedelta(days=730)
        hub = Hub.objects.create(
            partnership=self.ctx.partnership,
            name=spec.name,
            area=area,
            description=spec.description,
            starts_on=starts_on,
            ends_on=ends_on,
            status=spec.status,
        )
        hub.schools.set(schools)
        agreement = ServiceLevelAgreement.objects.create(
            partnership=self.ctx.partnership,
            hub=hub,
            starts_on=starts_on,
            ends_on=ends_on,
            funding=funding,
        )
        self._delivery(spec, agreement)
        self.ctx.count(Hub, 1)
        self.ctx.count(HUB_SCHOOLS, len(schools))
        self.ctx.count(ServiceLevelAgreement, 1)
        return hub

    def _delivery(self, spec: HubSpec, agreement: ServiceLevelAgreement) -> None:
        deliverables = [
            Deliverable(
                partnership=self.ctx.partnership,
                agreement=agreement,
                kind=kind,
                title=title,
                due_on=self.today + timedelta(days=due),
                status=status,
                completed_on=self.today + timedelta(days=due - 3) if status == DONE else None,
                supported_school=self.featured if kind == DeliverableKind.SCHOOL_SUPPORT else None,
            )
            for kind, title, due, status in spec.deliverables
        ]
        Deliverable.objects.bulk_create(deliverables)
        self.ctx.count(Deliverable, len(deliverables))
        lines = [
            BudgetLine(
                partnership=self.ctx.partnership,
                agreement=agreement,
                category=category,
                description=description,
                planned=Decimal(planned),
                actual=Decimal(actual),
            )
            for category, description, planned, actual in spec.budget
        ]
        BudgetLine.objects.bulk_create(lines)
        self.ctx.count(BudgetLine, len(lines))

    # Programmes ---------------------------------------------------------------------------

    def programmes(self, hub: Hub, specs: Sequence[ProgrammeSpec]) -> None:
        existing = set(Programme.objects.filter(hub=hub).values_list("title", flat=True))
        for spec in specs:
            if spec.title not in existing:
                self._programme(hub, spec)

    def _programme(self, hub: Hub, spec: ProgrammeSpec) -> None:
        ctx = self.ctx
        programme = Programme.objects.create(
            partnership=ctx.partnership,
            hub=hub,
            title=spec.title,
            description=spec.description,
            area=hub.area,
            phases=list(spec.phases),
            audience_roles=list(spec.audience),
            places=spec.places,
            delivery_language=spec.language,
            is_free=spec.price is None,
            price=spec.price,
            status=spec.status,
        )
        ctx.count(Programme, 1)
        venue = f"{hub.schools.order_by('name').first().name}, main hall"
        sessions = ProgrammeSession.objects.bulk_create(
            ProgrammeSession(
                partnership=ctx.partnership,
                programme=programme,
                position=position,
                title=f"Session {position + 1}",
                date=self.today + timedelta(days=days),
                starts_at=time(9, 30) if position % 2 == 0 else time(13, 30),
                ends_at=time(15, 30) if position % 2 == 0 else time(16, 0),
                venue=venue if position % 3 != 2 else "",
                online_url="" if position % 3 != 2 else "https://meet.example.org/hub-session",
            )
            for position, days in enumerate(spec.sessions)
        )
        ctx.count(ProgrammeSession, len(sessions))
        enrolments = self._enrolments(programme, spec, sessions)
        held = [s for s in sessions if s.date < self.today]
        if held and spec.status != ProgrammeStatus.DRAFT:
            self._registers(programme, spec, held, enrolments)

    def _enrolments(
        self, programme: Programme, spec: ProgrammeSpec, sessions: list[ProgrammeSession]
    ) -> list[Enrolment]:
        ctx = self.ctx
        rng = ctx.random("hubs", "enrolments", programme.title)
        first_session = min((s.date for s in sessions), default=self.today)
        enrolled_on = min(first_session, self.today) - timedelta(days=30)
        heads = self.heads()
        participant = ctx.logins.get(Role.PARTICIPANT)
        others = [s for s in self.plan_schools if s.pk != self.featured.pk] or [self.featured]
        enrolments = []
        for number in range(spec.enrolled):
            school = self.featured if number < spec.featured else rng.choice(others)
            name = ctx.person(f"hubs:{programme.title}:{number}")
            email = (
                f"teacher{number + 1}.{school.official_number.lower()}@{ctx.blueprint.email_domain}"
            )
            if spec.participant and number == 0 and participant is not None:
                school, name, email = self.featured, participant.full_name, participant.email
            confirmed = number < spec.places
            created = datetime.combine(
                enrolled_on + timedelta(days=number // 3), time(10, number % 60)
            ).replace(tzinfo=ctx.now.tzinfo)
            enrolments.append(
                Enrolment(
                    partnership=ctx.partnership,
                    programme=programme,
                    school=school,
                    participant_name=name,
                    participant_email=email,
                    participant_role=rng.choice(spec.audience or (AudienceRole.TEACHER,)),
                    status=EnrolmentStatus.CONFIRMED if confirmed else EnrolmentStatus.WAITLISTED,
                    enrolled_by=heads.get(school.pk),
                    created_at=created,
                    confirmed_at=created if confirmed else None,
                )
            )
        Enrolment.objects.bulk_create(enrolments, batch_size=BATCH_SIZE)
        ctx.count(Enrolment, len(enrolments))
        return enrolments

    def _registers(
        self,
        programme: Programme,
        spec: ProgrammeSpec,
        held: list[ProgrammeSession],
        enrolments: list[Enrolment],
    ) -> None:
        if enrolments and enrolments[0].pk is None:  # no ids back from bulk inserts
            enrolments = list(Enrolment.objects.filter(programme=programme).order_by("pk"))
        rng = self.ctx.random("hubs", "registers", programme.title)
        marks = [
            Attendance(
                partnership=self.ctx.partnership,
                session=session,
                enrolment=enrolment,
                attended=rng.random() < spec.attendance,
                recorded_by=self.ctx.logins.get(Role.HUB_LEAD),
            )
            for session in held
            for enrolment in enrolments
            if enrolment.status == EnrolmentStatus.CONFIRMED
        ]
        Attendance.objects.bulk_create(marks, batch_size=BATCH_SIZE)
        self.ctx.count(Attendance, len(marks))

    # Commissioning ------------------------------------------------------------------------

    def call(self, spec: CallSpec) -> None:
        ctx = self.ctx
        area = self.areas.get(spec.area)
        if area is None or Call.objects.filter(title=spec.title).exists():
            return
        deadline = ctx.now + timedelta(days=spec.deadline)
        decided = spec.award is not None
        call = Call.objects.create(
            partnership=ctx.partnership,
            title=spec.title,
            area=area,
            need=spec.need,
            brief=spec.brief,
            budget=spec.budget,
            deadline=deadline,
            status=CallStatus.AWARDED if decided else CallStatus.OPEN,
            created_by=ctx.logins.get(Role.PARTNERSHIP_ADMIN),
            opened_at=deadline - timedelta(days=35),
        )
        criteria = CallCriterion.objects.bulk_create(
            CallCriterion(
                partnership=ctx.partnership, call=call, title=title, weight=weight, position=n
            )
            for n, (title, weight) in enumerate(spec.criteria)
        )
        ctx.count(Call, 1)
        ctx.count(CallCriterion, len(criteria))
        bidders = self.pick_schools("secondaries" if decided else "primaries", spec.bidders)
        if spec.featured_bids:
            bidders = [self.featured, *[s for s in bidders if s != self.featured]][: spec.bidders]
        bids = self._bids(call, spec, bidders)
        if decided:
            self._decide(call, spec, bids, criteria)

    def _bids(self, call: Call, spec: CallSpec, bidders: list[School]) -> list[Bid]:
        rng = self.ctx.random("hubs", "bids", spec.title)
        heads = self.heads()
        bids = []
        for number, school in enumerate(bidders):
            bids.append(
                Bid.objects.create(
                    partnership=self.ctx.partnership,
                    call=call,
                    school=school,
                    submitted_by=heads.get(school.pk),
                    proposal=f"{school.name} proposes a programme led by its specialist "
                    f"staff, building on {rng.choice(('three', 'four', 'five'))} years of "
                    "strong results in this area.",
                    delivery_plan="Autumn: recruit and train; spring: coaching in schools; "
                    "summer: evaluation and a sharing event.",
                    cost=(spec.budget * Decimal(rng.choice((70, 80, 90, 95))) / 100).quantize(
                        Decimal("1")
                    ),
                    capacity=rng.choice((16, 20, 24, 30)),
                    delivery_language=DeliveryLanguage.BILINGUAL
                    if self.ctx.blueprint.country == Country.WALES
                    else DeliveryLanguage.ENGLISH,
                    submitted_at=min(self.ctx.now, call.deadline) - timedelta(days=3 + number),
                )
            )
        self.ctx.count(Bid, len(bids))
        return bids

    def _decide(
        self, call: Call, spec: CallSpec, bids: list[Bid], criteria: list[CallCriterion]
    ) -> None:
        if not bids or spec.award is None:
            return
        ctx = self.ctx
        rng = ctx.random("hubs", "scores", spec.title)
        scores = []
        for number, bid in enumerate(bids):
            # Every criterion ranks the bids the same way, so the first bid wins outright.
            values = {c.pk: max(0, 5 - 2 * number - rng.choice((0, 0, 1))) for c in criteria}
            scores += [
                BidScore(
                    partnership=ctx.partnership,
                    bid=bid,
                    criterion=c,
                    score=values[c.pk],
                    scored_by=ctx.logins.get(Role.PARTNERSHIP_ADMIN),
                )
                for c in criteria
            ]
            bid.score_percent = weighted_percent(criteria, values)
            bid.status = BidStatus.SUCCESSFUL if number == 0 else BidStatus.UNSUCCESSFUL
            bid.feedback = (
                "A strong bid with clear evidence of impact."
                if number == 0
                else "A sound plan, but the evidence of impact was thinner than the winner's."
            )
            bid.save(update_fields=["score_percent", "status", "feedback", "updated_at"])
        BidScore.objects.bulk_create(scores)
        ctx.count(BidScore, len(scores))
        winner = bids[0]
        hub = self.hub(spec.award, [winner.school], winner.cost)
        if hub is None:
            return
        self.programmes(hub, spec.award.programmes)
        programme = Programme.objects.filter(hub=hub).order_by("pk").first()
        agreement = hub.agreements.order_by("-starts_on", "-pk").first()
        if programme is None or agreement is None:
            return
        Award.objects.create(
            partnership=ctx.partnership,
            call=call,
            bid=winner,
            reasons="Highest weighted score; the strongest evidence of impact and a "
            "realistic plan within the budget.",
            hub=hub,
            agreement=agreement,
            programme=programme,
            decided_by=ctx.logins.get(Role.PARTNERSHIP_ADMIN),
            decided_at=call.deadline + timedelta(days=14),
        )
        ctx.count(Award, 1)
        if winner.submitted_by is not None:
            ctx.ensure_memberships([(winner.submitted_by, Role.HUB_LEAD, winner.school)])


def seed_hubs(ctx: DemoContext) -> None:
    """Hubs, programmes with sessions and enrolments, and calls with bids (idempotent)."""
    if not ctx.schools:
        return
    demo = WALES if ctx.blueprint.country == Country.WALES else ENGLAND
    seeding = _Seeding(ctx)
    for spec in demo.hubs:
        schools = seeding.pick_schools(spec.schools, spec.size)
        hub = seeding.hub(spec, schools, spec.funding)
        if hub is not None:
            seeding.programmes(hub, spec.programmes)
    for call in demo.calls:
        seeding.call(call)
