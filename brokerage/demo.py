"""Brokerage demo data for `manage.py seed_demo` (see docs/demo.md): needs, offers and
support agreements in every state, so a new user sees a working board at once.

Everything is invented and comes from the context's fixed random seeds. What it adds, in
each demo partnership (only among its first MAX_SCHOOLS schools, so a scale test with
thousands of schools gets the same small set):

- offers from green and yellow schools (the printed hub lead's school among them), spread
  over the areas, some charged, some also helping with a second area;
- needs, most from the printed challenge adviser's caseload, red and amber schools first;
- agreements: waiting for confirmation, in progress with sessions, closed with an outcome,
  and one declined (its provider is no longer suggested and its need is open again);
- for the printed headteacher's (amber) school: an open need with suggestions, an
  agreement the provider has confirmed and that waits for the headteacher, and support
  received and closed with its outcome.

Idempotent: needs and offers are found by (school, title), and agreements, sessions,
outcomes and declines are added only with the need they belong to, so a second run adds
nothing and never changes what is there.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Any

from partnership.demo import DemoContext
from partnership.models import Area, Membership, Role
from schools.models import LanguageMedium, School, SupportCategory

from . import scoring
from .models import (
    AgreementOutcome,
    DeliveryLanguage,
    DeliverySession,
    Funding,
    Need,
    NeedDecline,
    ObjectivesMet,
    Offer,
    SupportAgreement,
    Timeframe,
    Urgency,
    academic_year_of,
)

#: Brokerage data is seeded among this many schools of the plan at most.
MAX_SCHOOLS = 400
BATCH_SIZE = 500


@dataclass(frozen=True)
class Theme:
    """Needs and offers of one area, as schools write them."""

    needs: tuple[tuple[str, str, str], ...]  # title, what is needed, the outcome wanted
    offers: tuple[tuple[str, str, str], ...]  # title, what the school gives, evidence


LITERACY = Theme(
    needs=(
        (
            "Reading fluency in key stage 2",
            "Too many pupils in years 5 and 6 read slowly and without expression; guided "
            "reading sessions vary from class to class.",
            "Every class teaches fluency daily; reading ages rise by at least a year over the "
            "year.",
        ),
        (
            "Writing across the curriculum",
            "Extended writing is rare outside English lessons and boys' writing lags behind.",
            "Pupils write at length in science and humanities every half term.",
        ),
    ),
    offers=(
        (
            "Guided reading coaching",
            "Our literacy lead coaches teachers in class and runs two twilight sessions.",
            "Reading outcomes above the local authority average for three years.",
        ),
        (
            "Whole-school approach to writing",
            "Planning support and lesson visits to build a consistent writing sequence.",
            "Writing judged a strength in our last inspection.",
        ),
    ),
)
NUMERACY = Theme(
    needs=(
        (
            "Mathematical reasoning in years 5 and 6",
            "Pupils calculate accurately but struggle to explain or apply their reasoning.",
            "Reasoning is modelled in every maths lesson; test reasoning scores improve.",
        ),
        (
            "Numeracy across the curriculum",
            "Numeracy skills are not used or assessed outside mathematics lessons.",
            "Departments plan numeracy tasks; learners' numeracy is tracked across subjects.",
        ),
    ),
    offers=(
        (
            "Maths mastery lesson study",
            "Two cycles of lesson study with our maths lead, in your school and ours.",
            "Consistently strong progress in mathematics; a designated maths hub partner.",
        ),
        (
            "Numeracy leadership mentoring",
            "Mentoring for a numeracy lead to plan and check numeracy across subjects.",
            "Numeracy across the curriculum praised in our last peer review.",
        ),
    ),
)
THEMES: dict[str, Theme] = {
    "languages-literacy": LITERACY,
    "english-literacy": LITERACY,
    "mathematics-numeracy": NUMERACY,
    "mathematics": NUMERACY,
    "leadership": Theme(
        needs=(
            (
                "Developing middle leaders",
                "New middle leaders are unsure how to monitor teaching and lead their teams.",
                "Middle leaders run their own monitoring cycle and report on it to governors.",
            ),
            (
                "Self-evaluation and improvement planning",
                "Our improvement plan has too many priorities and few measurable targets.",
                "A short plan with three priorities and success criteria the staff know.",
            ),
        ),
        offers=(
            (
                "Middle leadership mentoring",
                "A deputy head mentors your middle leaders over two terms.",
                "Our middle leaders' programme has run for four years with strong feedback.",
            ),
        ),
    ),
    "teaching-and-learning": Theme(
        needs=(
            (
                "Assessment for learning",
                "Feedback in books is inconsistent and rarely acted on by pupils.",
                "A shared feedback policy that pupils use to improve their work.",
            ),
        ),
        offers=(
            (
                "Lesson study and coaching",
                "Joint lesson planning, observation and coaching with our lead practitioners.",
                "Teaching judged excellent in our last inspection.",
            ),
        ),
    ),
    "aln": Theme(
        needs=(
            (
                "Meeting additional learning needs in class",
                "Support staff are deployed unevenly and plans are not used in lessons.",
                "Individual development plans shape teaching in every class.",
            ),
        ),
        offers=(
            (
                "ALN coordinator support",
                "Our ALN coordinator reviews your provision and trains support staff.",
                "Specialist resource base; strong outcomes for learners with ALN.",
            ),
        ),
    ),
    "wellbeing": Theme(
        needs=(
            (
                "Attendance and engagement",
                "Persistent absence has risen since last year, most among disadvantaged pupils.",
                "Persistent absence back below 10%, with a family engagement plan in place.",
            ),
            (
                "Behaviour and relationships",
                "Low-level disruption in key stage 3 and too many exclusions.",
                "A relational behaviour policy that staff apply consistently.",
            ),
        ),
        offers=(
            (
                "Relational approach to behaviour",
                "Training for all staff and follow-up visits by our pastoral team.",
                "Exclusions down by two thirds in three years.",
            ),
        ),
    ),
    "digital": Theme(
        needs=(
            (
                "Digital competence across the school",
                "Digital skills are taught in isolated lessons rather than across subjects.",
                "Every year group has planned digital tasks in at least three subjects.",
            ),
        ),
        offers=(
            (
                "Digital leaders coaching",
                "Our digital lead coaches staff and trains pupil digital leaders.",
                "Digital competence showcased by the regional consortium.",
            ),
        ),
    ),
    "welsh": Theme(
        needs=(
            (
                "Welsh language across the school",
                "Pupils use little Welsh outside Welsh lessons.",
                "More incidental Welsh in class and on the yard; Cymraeg Campus bronze award.",
            ),
        ),
        offers=(
            (
                "Siarter Iaith mentoring",
                "Our Siarter Iaith coordinator shares our approach and resources.",
                "Cymraeg Campus gold award.",
            ),
        ),
    ),
    "early-years": Theme(
        needs=(
            (
                "Early years provision and transition",
                "Outdoor provision is underused and transition into year 1 is abrupt.",
                "Continuous provision indoors and out, and a smooth move into year 1.",
            ),
        ),
        offers=(
            (
                "Early years practice visits",
                "Visits to our early years unit and joint planning with our EYFS lead.",
                "Early years outcomes well above the national average.",
            ),
        ),
    ),
}
#: The areas the printed headteacher's school needs help with, in order.
FEATURED_AREAS = (
    ("languages-literacy", "english-literacy"),
    ("mathematics-numeracy", "mathematics"),
    ("wellbeing",),
)
OUTCOMES = (
    (ObjectivesMet.YES, 4, "Reading ages up by 14 months on average; fluency taught daily."),
    (ObjectivesMet.YES, 3, "Staff use the new approach in every class; pupils' work improved."),
    (ObjectivesMet.PARTLY, 2, "Good start in two year groups; the rest need another term."),
)
#: How long ago needs were logged (days), by what became of them, and how long they
#: waited for an agreement: few distinct values, so a handful of UPDATEs set the dates.
NEED_AGES = {
    None: (9, 23, 41),
    SupportAgreement.Status.PROPOSED: (23, 41, 68),
    SupportAgreement.Status.ACTIVE: (68, 96, 130),
    SupportAgreement.Status.DECLINED: (41, 68),
    SupportAgreement.Status.CLOSED: (170, 215, 260),
}
WAITS = (3, 8, 15, 26)


@dataclass
class _Planned:
    """An agreement to add with its need."""

    need: Need
    offer: Offer
    status: str
    days: Decimal
    created: datetime
    starts_on: date
    provider_confirmed: bool = False
    sessions: list[tuple[date, Decimal]] = field(default_factory=list)
    outcome: tuple[str, int, str] | None = None


def _language(school: School) -> str:
    if school.language_medium == LanguageMedium.WELSH:
        return DeliveryLanguage.WELSH
    if school.language_medium in (LanguageMedium.BILINGUAL, LanguageMedium.DUAL_STREAM):
        return DeliveryLanguage.BILINGUAL
    return DeliveryLanguage.ENGLISH


def _at(now: datetime, days_ago: int) -> datetime:
    return (now - timedelta(days=days_ago)).replace(hour=10, minute=0, second=0, microsecond=0)


def seed_brokerage(ctx: DemoContext) -> None:
    """Needs, offers and agreements of the demo schools (idempotent; see the module)."""
    plans = ctx.plan.schools[:MAX_SCHOOLS]
    schools = [ctx.schools[p.official_number] for p in plans]
    if len(schools) < 4:
        return
    areas = {a.slug: a for a in Area.objects.filter(is_active=True)}
    themes = [(areas[slug], theme) for slug, theme in THEMES.items() if slug in areas]
    if not themes:
        return
    rng = ctx.random("brokerage")
    heads = {
        m.school_id: m.user
        for m in Membership.objects.filter(role=Role.HEADTEACHER, school__in=schools)
        .select_related("user")
        .order_by("school_id", "user_id")
    }
    existing_offers = {(o.school_id, o.title): o for o in Offer.objects.select_related("school")}
    existing_needs = set(Need.objects.values_list("school_id", "title"))
    today = ctx.now.date()
    year = academic_year_of(today)

    # --- Offers: green and yellow schools, round the areas, the hub lead's school first.
    strong = [s for s in schools if s.support_category in scoring.STRONG_PROVIDERS]
    hub = ctx.schools[ctx.plan.hub_school.official_number]
    if hub in strong:
        strong.remove(hub)
        strong.insert(0, hub)
    offer_count = min(len(strong), max(2 * len(themes), len(schools) // 10))
    offers: list[Offer] = []
    new_offers: list[Offer] = []
    other_areas: list[tuple[Offer, Area]] = []
    for number, school in enumerate(strong[:offer_count]):
        area, theme = themes[number % len(themes)]
        title, description, evidence = theme.offers[(number // len(themes)) % len(theme.offers)]
        offer = existing_offers.get((school.pk, title))
        if offer is None:
            charged = rng.random() < 0.3
            head = heads.get(school.pk)
            offer = Offer(
                partnership=ctx.partnership,
                school=school,
                area=area,
                title=title,
                description=description,
                academic_year=year,
                days_available=Decimal(rng.choice((6, 8, 10, 12, 15, 20))),
                is_charged=charged,
                day_rate=Decimal(rng.choice((250, 300, 350))) if charged else None,
                language=_language(school),
                evidence=evidence,
                contact_name=head.full_name if head else "Headteacher",
                contact_email=head.email if head else "",
                created_by=head,
            )
            new_offers.append(offer)
            if rng.random() < 0.25:
                other_areas.append((offer, themes[(number + 1) % len(themes)][0]))
        offers.append(offer)
    committed: dict[int, Decimal] = {id(o): o.days_committed for o in offers}

    # --- Needs: the printed CA's caseload first, red and amber schools first within it.
    featured = ctx.schools[ctx.plan.featured.official_number]
    caseload = {p.official_number for p in plans if p.adviser == 1}
    priority = {SupportCategory.RED: 0, SupportCategory.AMBER: 1, SupportCategory.YELLOW: 2}
    askers = sorted(
        (s for s in schools if s.pk != featured.pk),
        key=lambda s: (
            s.official_number not in caseload,
            priority.get(s.support_category, 3),
            s.official_number,
        ),
    )
    need_count = max(12, len(schools) // 8)
    wanted: list[tuple[School, Area, tuple[str, str, str], str | None]] = []
    for slugs, status in zip(
        FEATURED_AREAS,
        (None, SupportAgreement.Status.PROPOSED, SupportAgreement.Status.CLOSED),
        strict=True,
    ):
        slug = next((s for s in slugs if s in areas), None)
        if slug:
            wanted.append((featured, areas[slug], THEMES[slug].needs[0], status))
    pattern = (
        SupportAgreement.Status.CLOSED,
        None,
        SupportAgreement.Status.ACTIVE,
        SupportAgreement.Status.PROPOSED,
        None,
        SupportAgreement.Status.CLOSED,
        SupportAgreement.Status.ACTIVE,
        None,
        SupportAgreement.Status.DECLINED,
        None,
    )
    for number, school in enumerate(askers[:need_count]):
        area, theme = themes[(number * 3 + 1) % len(themes)]
        text = theme.needs[number % len(theme.needs)]
        wanted.append((school, area, text, pattern[number % len(pattern)]))

    new_needs: list[Need] = []
    logged: dict[int, datetime] = {}  # id(need) -> when it was logged
    planned: list[_Planned] = []
    for school, area, (title, description, outcome), status in wanted:
        if (school.pk, title) in existing_needs:
            continue
        existing_needs.add((school.pk, title))
        need = Need(
            partnership=ctx.partnership,
            school=school,
            area=area,
            title=title,
            description=description,
            outcome=outcome,
            urgency=Urgency.HIGH
            if school.support_category in scoring.NEEDS_STRONG_PROVIDER
            else rng.choice((Urgency.MEDIUM, Urgency.LOW)),
            preferred_language=(
                DeliveryLanguage.WELSH
                if school.language_medium == LanguageMedium.WELSH
                else rng.choice(("", "", DeliveryLanguage.ENGLISH))
            ),
            timeframe=rng.choice((Timeframe.THIS_TERM, Timeframe.NEXT_TERM, Timeframe.THIS_YEAR)),
            days_wanted=Decimal(rng.choice((2, 3, 4, 5, 6))) if rng.random() < 0.8 else None,
            raised_by=heads.get(school.pk),
        )
        logged[id(need)] = _at(ctx.now, rng.choice(NEED_AGES[status]))
        new_needs.append(need)
        if status is None:
            continue
        match = _pick_offer(need, offers, committed, rng)
        if match is None:
            continue
        offer, days = match
        created = logged[id(need)] + timedelta(days=rng.choice(WAITS))
        item = _Planned(
            need=need,
            offer=offer,
            status=status,
            days=days,
            created=created,
            starts_on=created.date() + timedelta(days=7),
        )
        _plan_delivery(item, today, rng)
        if status == SupportAgreement.Status.PROPOSED:
            # Waits for the receiving school; the featured headteacher is asked to confirm.
            item.provider_confirmed = True
        if status == SupportAgreement.Status.CLOSED:
            # Closing gives the days not delivered back to the offer.
            committed[id(offer)] += sum((days for _, days in item.sessions), Decimal("0"))
        elif status != SupportAgreement.Status.DECLINED:
            committed[id(offer)] += days
        planned.append(item)

    # Offers that already existed get the days of their new agreements added.
    for offer in offers:
        if offer.pk is None:
            offer.days_committed = committed[id(offer)]
        elif committed[id(offer)] != offer.days_committed:
            Offer.objects.filter(pk=offer.pk).update(days_committed=committed[id(offer)])
    Offer.objects.bulk_create(new_offers, batch_size=BATCH_SIZE)
    Offer.other_areas.through.objects.bulk_create(
        [
            Offer.other_areas.through(offer_id=offer.pk, area_id=area.pk)
            for offer, area in other_areas
            if area.pk != offer.area_id
        ],
        ignore_conflicts=True,
    )
    ctx.count(Offer, len(new_offers))

    for item in planned:
        item.need.status = {
            SupportAgreement.Status.PROPOSED: Need.Status.BROKERED,
            SupportAgreement.Status.ACTIVE: Need.Status.IN_PROGRESS,
            SupportAgreement.Status.CLOSED: Need.Status.MET,
            SupportAgreement.Status.DECLINED: Need.Status.OPEN,
        }[item.status]
    Need.objects.bulk_create(new_needs, batch_size=BATCH_SIZE)
    _stamp(Need, {need.pk: logged[id(need)] for need in new_needs})
    ctx.count(Need, len(new_needs))
    _add_agreements(ctx, planned, heads)


def _pick_offer(
    need: Need, offers: list[Offer], committed: dict[int, Decimal], rng: random.Random
) -> tuple[Offer, Decimal] | None:
    """An offer of another school in the need's area that the category rule allows and
    that has days left, with the days to agree."""
    candidates = [
        offer
        for offer in offers
        if offer.area_id == need.area.pk
        and offer.school_id != need.school.pk
        and scoring.category_allows(need.school.support_category, offer.school.support_category)
        and offer.days_available - committed[id(offer)] >= 2
    ]
    if not candidates:
        return None
    offer = rng.choice(candidates)
    left = offer.days_available - committed[id(offer)]
    return offer, min(need.days_wanted or Decimal("4"), left)


def _plan_delivery(item: _Planned, today: date, rng: random.Random) -> None:
    """Sessions for agreements in progress or closed (never in the future), and the
    outcome of closed ones."""
    if item.status not in (SupportAgreement.Status.ACTIVE, SupportAgreement.Status.CLOSED):
        return
    closed = item.status == SupportAgreement.Status.CLOSED
    count = int(item.days) if closed else max(1, int(item.days) // 2)
    step = max((today - item.starts_on).days // (count + 1), 1)
    for number in range(count):
        day = min(item.starts_on + timedelta(days=step * (number + 1)), today)
        item.sessions.append((day, Decimal("1")))
    if closed:
        item.outcome = rng.choice(OUTCOMES)


def _stamp(model: type, when_by_pk: dict[int | None, datetime], name: str = "created_at") -> None:
    """Set an auto-stamped date column, one UPDATE per distinct date."""
    by_date: dict[datetime, list[int]] = {}
    for pk, when in when_by_pk.items():
        if pk is not None:
            by_date.setdefault(when, []).append(pk)
    for when, pks in by_date.items():
        model.objects.filter(pk__in=pks).update(**{name: when})


def _add_agreements(ctx: DemoContext, planned: list[_Planned], heads: dict[int, Any]) -> None:
    agreements = []
    for item in planned:
        need, offer = item.need, item.offer
        closed = item.status in (SupportAgreement.Status.CLOSED, SupportAgreement.Status.DECLINED)
        live_or_closed = item.status != SupportAgreement.Status.DECLINED
        started = item.status in (SupportAgreement.Status.ACTIVE, SupportAgreement.Status.CLOSED)
        confirmed_at = item.created + timedelta(days=2)
        agreement = SupportAgreement(
            partnership=ctx.partnership,
            need=need,
            offer=offer,
            receiving_school=need.school,
            provider=offer.school,
            days=item.days,
            starts_on=item.starts_on,
            ends_on=item.starts_on + timedelta(days=120),
            objectives=need.outcome,
            funding=Funding.RECEIVING_SCHOOL if offer.is_charged else Funding.FREE,
            cost=(offer.day_rate * item.days) if offer.is_charged and offer.day_rate else None,
            status=item.status,
            brokered_by_id=need.school.challenge_adviser_id,
            provider_confirmed_at=confirmed_at
            if (started or item.provider_confirmed) and live_or_closed
            else None,
            provider_confirmed_by=heads.get(offer.school_id)
            if (started or item.provider_confirmed) and live_or_closed
            else None,
            receiver_confirmed_at=confirmed_at if started else None,
            receiver_confirmed_by=heads.get(need.school_id) if started else None,
        )
        if closed:
            last = max((d for d, _ in item.sessions), default=item.starts_on)
            agreement.closed_at = _at(ctx.now, max((ctx.now.date() - last).days - 3, 0))
            if item.status == SupportAgreement.Status.DECLINED:
                agreement.closed_at = item.created + timedelta(days=4)
        agreements.append(agreement)
    SupportAgreement.objects.bulk_create(agreements, batch_size=BATCH_SIZE)
    pairs = list(zip(agreements, planned, strict=True))
    _stamp(SupportAgreement, {agreement.pk: item.created for agreement, item in pairs})
    ctx.count(SupportAgreement, len(agreements))

    sessions = [
        DeliverySession(
            partnership=ctx.partnership,
            agreement=agreement,
            date=day,
            days=days,
            notes="Coaching and joint planning with the staff involved.",
            recorded_by=heads.get(agreement.provider_id),
        )
        for agreement, item in zip(agreements, planned, strict=True)
        for day, days in item.sessions
    ]
    DeliverySession.objects.bulk_create(sessions, batch_size=BATCH_SIZE)
    ctx.count(DeliverySession, len(sessions))

    outcomes = [
        AgreementOutcome(
            partnership=ctx.partnership,
            agreement=agreement,
            objectives_met=item.outcome[0],
            rating=item.outcome[1],
            evidence=item.outcome[2],
            recorded_by_id=agreement.brokered_by_id,
        )
        for agreement, item in zip(agreements, planned, strict=True)
        if item.outcome
    ]
    AgreementOutcome.objects.bulk_create(outcomes, batch_size=BATCH_SIZE)
    ctx.count(AgreementOutcome, len(outcomes))

    declines = [
        NeedDecline(
            partnership=ctx.partnership,
            need=agreement.need,
            provider=agreement.provider,
            agreement=agreement,
            reason="No capacity this term: our lead practitioner is away until the summer.",
            declined_by=heads.get(agreement.provider_id),
        )
        for agreement, item in zip(agreements, planned, strict=True)
        if item.status == SupportAgreement.Status.DECLINED
    ]
    NeedDecline.objects.bulk_create(declines, batch_size=BATCH_SIZE)
    ctx.count(NeedDecline, len(declines))
