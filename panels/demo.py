"""Demo panels, meetings and a consultation for `manage.py seed_demo`.

Run by partnership.demo.seed() (listed in its SEEDERS) after schools, people, hubs and
brokerage exist. Each partnership gets, from the fixed description below:

- an area panel for numeracy with full composition (every seat type, the printed
  headteacher in the chair, the printed panel member, CA, hub lead and governor on it,
  one member on the last of two consecutive terms and one whose term ends soon), and an
  area panel for literacy with no teacher seat, so its composition check warns;
- the strategy group and the advisory board, run as panels that form stakeholder groups;
- two meetings of the numeracy panel: one held six weeks ago with approved minutes,
  attendance, a published decision and actions (one done, two still open), and one in
  three weeks whose agenda starts with the open actions carried forward as matters arising;
- the panel's judgements on the first programme and support agreement of its area;
- a consultation on the future of the regional school-improvement model (modelled on the
  consultations Welsh local authorities ran when the regional consortia were reviewed),
  closed two days ago, with responses from every stakeholder group, ready to collate.

Idempotent: panels are found by name and the consultation by title, and only what is
missing is added (a panel brings its seats, terms, meetings and judgements; the
consultation its sections, questions and responses). Deterministic: no randomness beyond
ctx.random(); dates are relative to the run's `ctx.now`.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from django.utils import timezone

from brokerage.models import SupportAgreement
from hubs.models import Programme, ProgrammeStatus
from partnership.demo import DemoContext
from partnership.models import Area, Country, Role, User

from . import services
from .models import (
    Action,
    ActionStatus,
    AgendaItem,
    AttendanceStatus,
    Consultation,
    ConsultationAnswer,
    ConsultationQuestion,
    ConsultationResponse,
    ConsultationSection,
    Evaluation,
    EvaluationJudgement,
    Meeting,
    MeetingAttendance,
    Panel,
    PanelMember,
    Seat,
    SeatType,
    StakeholderGroup,
)


@dataclass(frozen=True)
class PanelSpec:
    name: str
    #: Area slugs to try in order (Wales, England); None for a partnership group.
    areas: tuple[str, ...] | None
    purpose: str
    #: (seat type, description, who: a printed login role or a key for a new person)
    seats: tuple[tuple[str, str, str], ...]
    stakeholder_group: str = ""
    #: The panel whose meetings, judgements and rotation examples the demo shows.
    featured: bool = False


TERMS_OF_REFERENCE = (
    "The panel reviews regional need and the evaluations of provision in its area, "
    "commissions hubs and school-to-school support, and reports to the strategy group. "
    "It meets each term; a quorum is half its members, including the chair. Members serve "
    "terms of two years, for at most two terms in a row."
)

NUMERACY_SEATS = (
    (SeatType.STRATEGIC_LEAD, "Strategic lead for the curriculum", "strategic-lead"),
    (SeatType.HEADTEACHER, "Primary headteacher (chair)", Role.HEADTEACHER),
    (SeatType.HEADTEACHER, "Secondary headteacher", "secondary-head"),
    (SeatType.HUB_LEAD, "Numeracy hub lead", Role.HUB_LEAD),
    (SeatType.CHALLENGE_ADVISER, "Challenge adviser", Role.CHALLENGE_ADVISER),
    (SeatType.AREA_EXPERT, "Mathematics subject expert", Role.PANEL_MEMBER),
    (SeatType.HIGHER_EDUCATION, "University partner", "university"),
    (SeatType.TEACHER, "Classroom teacher", "teacher"),
    (SeatType.WELSH_MEDIUM, "Welsh-medium primary", "welsh-medium"),
    (SeatType.LA_ALN, "Local authority ALN lead", "aln-lead"),
    (SeatType.PUPIL, "Pupil voice (secondary)", "pupil"),
    (SeatType.GOVERNOR, "Governor", Role.GOVERNOR),
)

PANELS = (
    PanelSpec(
        name="Mathematics and numeracy panel",
        areas=("mathematics-numeracy", "mathematics"),
        purpose="Decides what the partnership provides for mathematics and numeracy: it "
        "identifies regional need, commissions provision and judges its impact.",
        seats=NUMERACY_SEATS,
        featured=True,
    ),
    PanelSpec(
        name="Literacy panel",
        areas=("languages-literacy", "english-literacy"),
        purpose="Decides what the partnership provides for literacy and oracy.",
        # No teacher seat: the composition check flags the missing voice.
        seats=(
            (SeatType.HEADTEACHER, "Secondary headteacher (chair)", "literacy-chair"),
            (SeatType.HEADTEACHER, "Primary headteacher", "literacy-head"),
            (SeatType.AREA_EXPERT, "Literacy specialist", "literacy-expert"),
            (SeatType.CHALLENGE_ADVISER, "Challenge adviser", Role.CHALLENGE_ADVISER),
        ),
    ),
    PanelSpec(
        name="Strategy group",
        areas=None,
        purpose="Headteachers and the partnership's leaders who set its direction.",
        seats=(
            (SeatType.STRATEGIC_LEAD, "Managing director", "strategic-lead"),
            (SeatType.HEADTEACHER, "Headteacher, north", "secondary-head"),
            (SeatType.HEADTEACHER, "Headteacher, south", "literacy-chair"),
            (SeatType.LA_ALN, "Director of education", "director"),
        ),
        stakeholder_group=StakeholderGroup.STRATEGY_GROUP,
    ),
    PanelSpec(
        name="Advisory board",
        areas=None,
        purpose="Local authority, governor and university voices who advise the board.",
        seats=(
            (SeatType.LA_ALN, "Local authority officer", "la-officer"),
            (SeatType.GOVERNOR, "Chair of governors", "board-governor"),
            (SeatType.HIGHER_EDUCATION, "University partner", "university"),
        ),
        stakeholder_group=StakeholderGroup.ADVISORY_BOARD,
    ),
)

CONSULTATION_TITLE = "The future of our school-improvement model"
CONSULTATION_SUMMARY = (
    "The councils that fund the partnership are reviewing how school improvement is "
    "organised after the regional consortium model. This paper sets out a model in which "
    "schools lead their own improvement in clusters and school improvement groups, with a "
    "smaller central team for challenge, brokerage and professional learning. We want to "
    "hear from staff, the strategy group, the advisory board and every headteacher before "
    "the board decides in the spring."
)
#: (heading, text, questions)
CONSULTATION_PAPER = (
    (
        "Why change",
        "Since the review of the regional consortia, each council must show how it secures "
        "school improvement. Schools have told us they value peer support and want fewer "
        "layers between them and the help they need.",
        ("Do you agree that the model should change? Why?",),
    ),
    (
        "School-to-school partnership",
        "Clusters and cross-authority school improvement groups would plan and deliver most "
        "improvement work, with funding delegated to them.",
        (
            "What should clusters and school improvement groups be responsible for?",
            "What support would your school need to take part fully?",
        ),
    ),
    (
        "Challenge and support",
        "A smaller team of challenge advisers would keep a caseload of schools, broker "
        "support between schools and moderate support categories.",
        ("How should challenge and support be balanced in the new model?",),
    ),
    (
        "Professional learning and Welsh",
        "Hubs would be commissioned by panels for a fixed period, with re-designation "
        "criteria, including Welsh-medium and bilingual provision.",
        ("Which professional learning should stay regional rather than local?",),
    ),
)
ANSWERS = (
    "Yes, provided the funding follows the schools and the change is phased over two years.",
    "Partly: peer support works, but small rural schools need protected time to take part.",
    "Shared curriculum planning, transition and moderation of pupils' work.",
    "Cover for staff to visit other schools, and a named adviser who knows us.",
    "Challenge should be proportionate: red and amber schools first, lighter touch for green.",
    "Leadership development and Welsh-medium provision are better planned regionally.",
    "A clear timetable and an evaluation after the first year, reported to governors.",
    "Keep the central data team: schools cannot analyse regional trends alone.",
)
#: (group, who) of each response, in order; "heads" take the next headteacher.
RESPONDENTS = (
    (StakeholderGroup.HEADTEACHERS, Role.HEADTEACHER),
    (StakeholderGroup.HEADTEACHERS, "heads"),
    (StakeholderGroup.HEADTEACHERS, "heads"),
    (StakeholderGroup.HEADTEACHERS, "heads"),
    (StakeholderGroup.HEADTEACHERS, "heads"),
    (StakeholderGroup.STAFF, Role.CHALLENGE_ADVISER),
    (StakeholderGroup.STAFF, Role.SENIOR_CA),
    (StakeholderGroup.STAFF, Role.HUB_LEAD),
    (StakeholderGroup.STRATEGY_GROUP, "strategic-lead"),
    (StakeholderGroup.STRATEGY_GROUP, "director"),
    (StakeholderGroup.ADVISORY_BOARD, "la-officer"),
    (StakeholderGroup.ADVISORY_BOARD, "board-governor"),
)


class _Seeding:
    def __init__(self, ctx: DemoContext):
        self.ctx = ctx
        self.partnership = ctx.partnership
        self.today = timezone.localdate(ctx.now)
        self.areas = {a.slug: a for a in Area.objects.all()}
        self._people: dict[str, User] = {}

    def person(self, who: str) -> User:
        """A printed login by role, or a demo person by key (created with a panel-member
        membership when missing)."""
        if who in self.ctx.logins:
            return self.ctx.logins[who]
        if who not in self._people:
            email = f"panel.{who}@{self.ctx.blueprint.email_domain}"
            user = self.ctx.ensure_users([(email, self.ctx.person(f"panel-{who}"))])[email]
            self.ctx.ensure_memberships([(user, Role.PANEL_MEMBER, None)])
            self._people[who] = user
        return self._people[who]

    def panel(self, spec: PanelSpec) -> Panel | None:
        area = None
        if spec.areas is not None:
            area = next((self.areas[s] for s in spec.areas if s in self.areas), None)
            if area is None:
                return None
        wanted = [
            seat
            for seat in spec.seats
            if seat[0] != SeatType.WELSH_MEDIUM or self.partnership.country == Country.WALES
        ]
        spec = PanelSpec(**{**spec.__dict__, "seats": tuple(wanted)})
        panel = Panel.objects.create(
            partnership=self.partnership,
            name=spec.name,
            area=area,
            purpose=spec.purpose,
            terms_of_reference=TERMS_OF_REFERENCE,
            stakeholder_group=spec.stakeholder_group,
        )
        self.ctx.count(Panel, 1)
        seats = Seat.objects.bulk_create(
            Seat(
                partnership=self.partnership,
                panel=panel,
                seat_type=seat_type,
                label=label,
                position=position,
            )
            for position, (seat_type, label, _who) in enumerate(spec.seats, start=1)
        )
        self.ctx.count(Seat, len(seats))
        terms = []
        for index, (seat, (_type, _label, who)) in enumerate(zip(seats, spec.seats, strict=True)):
            person = self.person(who)
            starts = self.today - timedelta(days=200 + 10 * index)
            ends = starts + timedelta(days=730)
            if spec.featured and who == "teacher":
                # The teacher's term ends soon and no one follows yet: a rotation warning.
                ends = self.today + timedelta(days=40)
            if spec.featured and who == Role.PANEL_MEMBER:
                # A second consecutive term: the last one this panel allows.
                first_start = starts - timedelta(days=730)
                terms.append(
                    PanelMember(
                        partnership=self.partnership,
                        seat=seat,
                        user=person,
                        starts_on=first_start,
                        ends_on=starts - timedelta(days=1),
                    )
                )
            terms.append(
                PanelMember(
                    partnership=self.partnership,
                    seat=seat,
                    user=person,
                    starts_on=starts,
                    ends_on=ends,
                    is_chair=index == (1 if spec.featured else 0),
                )
            )
        PanelMember.objects.bulk_create(terms)
        self.ctx.count(PanelMember, len(terms))
        if spec.featured:
            self.meetings(panel, [t for t in terms if t.ends_on >= self.today])
            self.judgements(panel)
        return panel

    def meetings(self, panel: Panel, terms: list[PanelMember]) -> None:
        ctx, p = self.ctx, self.partnership
        chair = next(t.user for t in terms if t.is_chair)
        held_at = ctx.now.replace(hour=13, minute=30, second=0, microsecond=0) - timedelta(days=42)
        held = Meeting.objects.create(
            partnership=p,
            panel=panel,
            starts_at=held_at,
            ends_at=held_at + timedelta(hours=2),
            place="Canolfan y Bont, Room 3 (and online)",
        )
        items = [
            AgendaItem(
                partnership=p,
                meeting=held,
                position=1,
                title="Regional need in numeracy: needs survey results",
                presenter=chair,
                paper="Numeracy is the first need of 38% of primary schools, and reasoning "
                "the weakest area in the survey.",
                for_all_seats=True,
                minutes="The panel discussed the survey results and agreed reasoning in key "
                "stage 2 is the priority; pupils asked for more problem-solving in lessons.",
            ),
            AgendaItem(
                partnership=p,
                meeting=held,
                position=2,
                title="Evaluation of the numeracy hub's first year",
                presenter=ctx.logins.get(Role.HUB_LEAD),
                paper="Attendance 86%; participants' confidence up; pupil outcomes not yet "
                "measured.",
                minutes="The hub lead presented the evaluation. Members asked for pupil "
                "outcomes before the re-designation review.",
                decision="Continue the numeracy hub for a second year, with a pupil-outcome "
                "measure added to its service level agreement.",
                decision_published=True,
            ),
            AgendaItem(
                partnership=p,
                meeting=held,
                position=3,
                title="Bids for the reasoning call (confidential)",
                minutes="Scores were moderated; the decision is recorded with the award.",
                decision="Scores agreed; award to follow in the call.",
            ),
        ]
        AgendaItem.objects.bulk_create(items)
        MeetingAttendance.objects.bulk_create(
            MeetingAttendance(
                partnership=p,
                meeting=held,
                user=term.user,
                status=AttendanceStatus.APOLOGIES if i % 5 == 4 else AttendanceStatus.PRESENT,
            )
            for i, term in enumerate({t.user_id: t for t in terms}.values())
        )
        owners = [ctx.logins.get(r) or chair for r in (Role.HUB_LEAD, Role.CHALLENGE_ADVISER)]
        Action.objects.bulk_create(
            [
                Action(
                    partnership=p,
                    meeting=held,
                    description="Add a pupil-outcome measure to the numeracy hub's SLA.",
                    owner=owners[0],
                    due_on=self.today + timedelta(days=6),
                    status=ActionStatus.IN_PROGRESS,
                ),
                Action(
                    partnership=p,
                    meeting=held,
                    description="Share the needs survey breakdown by local authority with "
                    "every cluster.",
                    owner=owners[1],
                    due_on=self.today + timedelta(days=20),
                ),
                Action(
                    partnership=p,
                    meeting=held,
                    description="Publish the reasoning call.",
                    owner=chair,
                    due_on=self.today - timedelta(days=14),
                    status=ActionStatus.DONE,
                ),
            ]
        )
        Meeting.objects.filter(pk=held.pk).update(
            minutes_approved_at=held_at + timedelta(days=7), minutes_approved_by=chair
        )
        next_at = held_at + timedelta(days=63)
        following = Meeting.objects.create(
            partnership=p,
            panel=panel,
            starts_at=next_at,
            ends_at=next_at + timedelta(hours=2),
            place="Online",
        )
        services.carry_forward_actions(meeting=following)
        AgendaItem.objects.create(
            partnership=p,
            meeting=following,
            position=10,
            title="Evaluation review: programmes and support in numeracy",
            presenter=chair,
            paper="Judgements on each programme and brokered agreement of the area.",
        )
        ctx.count(Meeting, 2)
        ctx.count(AgendaItem, len(items) + 1 + 2)
        ctx.count(Action, 3)

    def judgements(self, panel: Panel) -> None:
        programme = (
            Programme.objects.filter(area=panel.area)
            .exclude(status__in=(ProgrammeStatus.DRAFT, ProgrammeStatus.CANCELLED))
            .order_by("pk")
            .first()
        )
        agreement = (
            SupportAgreement.objects.filter(
                need__area=panel.area,
                status__in=(SupportAgreement.Status.ACTIVE, SupportAgreement.Status.CLOSED),
            )
            .order_by("pk")
            .first()
        )
        chair = PanelMember.objects.filter(seat__panel=panel, is_chair=True).first()
        rows = []
        if programme is not None:
            rows.append(
                Evaluation(
                    partnership=self.partnership,
                    panel=panel,
                    programme=programme,
                    judgement=EvaluationJudgement.CONTINUE,
                    rationale="High attendance and participants report changed practice; "
                    "continue, and measure pupils' reasoning next year.",
                    decided_by=chair.user if chair else None,
                    decided_at=self.ctx.now - timedelta(days=42),
                )
            )
        if agreement is not None:
            rows.append(
                Evaluation(
                    partnership=self.partnership,
                    panel=panel,
                    agreement=agreement,
                    judgement=EvaluationJudgement.CHANGE,
                    rationale="Useful coaching but too few days to embed; broker a longer "
                    "agreement with a second provider.",
                    decided_by=chair.user if chair else None,
                    decided_at=self.ctx.now - timedelta(days=42),
                )
            )
        Evaluation.objects.bulk_create(rows)
        self.ctx.count(Evaluation, len(rows))

    def consultation(self) -> None:
        ctx, p = self.ctx, self.partnership
        leading = Panel.objects.filter(name="Strategy group").first()
        consultation = Consultation.objects.create(
            partnership=p,
            title=CONSULTATION_TITLE,
            summary=CONSULTATION_SUMMARY,
            panel=leading,
            groups=list(StakeholderGroup.values),
            opens_at=ctx.now - timedelta(days=35),
            closes_at=ctx.now - timedelta(days=2),
            created_by=ctx.logins.get(Role.PARTNERSHIP_ADMIN),
        )
        sections = ConsultationSection.objects.bulk_create(
            ConsultationSection(
                partnership=p,
                consultation=consultation,
                position=position,
                heading=heading,
                body=body,
            )
            for position, (heading, body, _questions) in enumerate(CONSULTATION_PAPER, start=1)
        )
        questions = ConsultationQuestion.objects.bulk_create(
            ConsultationQuestion(
                partnership=p,
                section=section,
                consultation=consultation,
                position=10 * section.position + n,
                text=text,
            )
            for section, (_h, _b, texts) in zip(sections, CONSULTATION_PAPER, strict=True)
            for n, text in enumerate(texts)
        )
        heads = iter(
            User.objects.filter(
                memberships__partnership=p,
                memberships__role=Role.HEADTEACHER,
                email__startswith="head.",
                email__endswith="@" + ctx.blueprint.email_domain,
            )
            .order_by("email")
            .distinct()[:10]
        )
        respondents: list[tuple[str, User]] = []
        for group, who in RESPONDENTS:
            person = next(heads, None) if who == "heads" else self.person_or_none(who)
            if person is not None and person.pk not in {r.pk for _g, r in respondents}:
                respondents.append((group, person))
        responses = ConsultationResponse.objects.bulk_create(
            ConsultationResponse(
                partnership=p,
                consultation=consultation,
                respondent=person,
                group=group,
                submitted_at=consultation.opens_at + timedelta(days=2 + 2 * n, hours=n),
            )
            for n, (group, person) in enumerate(respondents)
        )
        rng = ctx.random("consultation")
        answers = [
            ConsultationAnswer(
                partnership=p,
                response=response,
                question=question,
                text=ANSWERS[rng.randrange(len(ANSWERS))],
            )
            for response in responses
            for question in questions
            if rng.random() < 0.8
        ]
        ConsultationAnswer.objects.bulk_create(answers)
        ctx.count(Consultation, 1)
        ctx.count(ConsultationResponse, len(responses))

    def person_or_none(self, who: str) -> User | None:
        if who in self.ctx.logins:
            return self.ctx.logins[who]
        if who.startswith(("strategic", "director", "la-", "board-")):
            return self.person(who)
        return None


def seed_panels(ctx: DemoContext) -> None:
    """Panels with their composition, meetings, judgements and a consultation (idempotent)."""
    if not ctx.schools:
        return
    seeding = _Seeding(ctx)
    existing = set(Panel.objects.values_list("name", flat=True))
    for spec in PANELS:
        if spec.name not in existing:
            seeding.panel(spec)
    if not Consultation.objects.filter(title=CONSULTATION_TITLE).exists():
        seeding.consultation()
