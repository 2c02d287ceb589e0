"""Demo data for `manage.py seed_demo`: invented partnerships, schools and people.

Everything here is invented and generated from fixed seeds, so every run on every
machine builds the same data, without Faker (a development dependency only). A
partnership is described by a `Blueprint`; `build_plan()` turns it into a `Plan` (pure
data, no database); `seed()` writes the plan by running the `SEEDERS` in order.

Each seeder is a function `seeder(ctx: DemoContext) -> None` that is **idempotent**: it
looks up what already exists by natural key (local authority name, cluster name, school
official number, group name, user email...) and adds only what is missing, in bulk. It
never changes a row that is already there, so a second run adds nothing and edits made
while trying the demo survive. Later apps add their own demo data by appending a
dotted path to `SEEDERS` (e.g. ``"brokerage.demo.seed_brokerage"``); their seeder finds
the schools, advisers and printed logins on the context.

Plans are **prefix-stable**: school number *i* and its cluster, groups and adviser depend
only on the schools before it, so `seed_demo --schools 2000` after `--schools 1000` keeps
the first thousand schools and adds the next thousand.
"""

from __future__ import annotations

import random
import time
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any, NamedTuple

from django.contrib.auth.hashers import make_password
from django.db import models, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.module_loading import import_string
from django.utils.translation import gettext_lazy

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

from .models import Country, Membership, Partnership, Role, User
from .services import create_partnership
from .tenancy import tenant_scope

#: The password of every demo user. It is published (README, docs/demo.md, the command's
#: output), which is why `seed_demo` refuses to run with DEBUG off unless forced.
DEMO_PASSWORD = "demo-portal-2026"
# A fixed salt gives every demo user the same hash, so a run can tell whether a printed
# login still has the demo password without hashing again (and without logging anyone out).
_DEMO_SALT = "seeddemoportal2026fixedsalt"

#: The seeders `seed()` runs for each partnership, in order (dotted paths, so an app's
#: seeder is imported only when it runs). Each takes a DemoContext and is idempotent.
SEEDERS: tuple[str, ...] = (
    "partnership.demo.seed_local_authorities",
    "partnership.demo.seed_clusters",
    "partnership.demo.seed_advisers",
    "partnership.demo.seed_schools",
    "partnership.demo.seed_school_groups",
    "partnership.demo.seed_school_people",
    "partnership.demo.seed_category_history",
    "peerreview.demo.seed_peer_review",
    "hubs.demo.seed_hubs",
    "brokerage.demo.seed_brokerage",
    "panels.demo.seed_panels",
    "casework.demo.seed_casework",
    "surveys.demo.seed_surveys",
    "collaboration.demo.seed_collaboration",
    "reports.demo.seed_reports",
)

BATCH_SIZE = 500

# --- Blueprints -----------------------------------------------------------------------


@dataclass(frozen=True)
class LocalAuthoritySpec:
    name: str
    code: str
    #: Share of the partnership's clusters in this authority.
    weight: int
    postcode_districts: tuple[str, ...]


@dataclass(frozen=True)
class Blueprint:
    """What one demo partnership looks like; `build_plan()` fills in the details."""

    slug: str
    name: str
    country: str
    schools: int
    local_authorities: tuple[LocalAuthoritySpec, ...]
    #: Pairs of indexes into local_authorities that share a border.
    neighbours: tuple[tuple[int, int], ...] = ()
    #: Every n-th cluster is Welsh-medium (0: none, as in England).
    welsh_medium_every: int = 0
    #: "la": LA code + phase digit + serial (Wales); "urn": six-digit URN from urn_base.
    numbering: str = "la"
    urn_base: int = 0
    fsm_range: tuple[float, float] = (5.0, 40.0)
    #: Exactly `schools` schools (scale tests); otherwise the last cluster is completed,
    #: so the demo has about that many and no cluster is cut short.
    exact: bool = False
    colour: str = "#1d70b8"
    default_language: str = "en"
    seed: int = 2026

    @property
    def email_domain(self) -> str:
        return f"{self.slug}.example.org"

    @property
    def style(self) -> str:
        """Naming style of schools and people: "wales" or "england"."""
        return "wales" if self.country == Country.WALES else "england"


WELSH_CONSORTIUM = Blueprint(
    slug="gorllewin",
    name="Gorllewin Schools Partnership",
    country=Country.WALES,
    schools=400,
    local_authorities=(
        LocalAuthoritySpec("Bro Teifi", "901", 12, ("SA38", "SA43", "SA44")),
        LocalAuthoritySpec("Cwm Tawe", "902", 11, ("SA8", "SA9")),
        LocalAuthoritySpec("Dyffryn Tywi", "903", 10, ("SA19", "SA20", "SA32")),
        LocalAuthoritySpec("Glannau Dyfi", "904", 9, ("SY20", "SY24")),
        LocalAuthoritySpec("Mynydd Preseli", "905", 8, ("SA41", "SA66")),
    ),
    neighbours=((0, 2), (0, 3), (0, 4), (1, 2), (2, 4)),
    welsh_medium_every=5,
    numbering="la",
    fsm_range=(6.0, 38.0),
    colour="#00703c",
    seed=2026,
)

LONDON_BOROUGH = Blueprint(
    slug="kingsmere",
    name="Kingsmere Schools Partnership",
    country=Country.ENGLAND,
    schools=60,
    local_authorities=(LocalAuthoritySpec("Kingsmere", "990", 1, ("SE2", "SE28", "DA18")),),
    numbering="urn",
    urn_base=990000,
    fsm_range=(12.0, 48.0),
    colour="#4c2c92",
    seed=2027,
)

#: The partnerships `seed_demo` builds without --schools.
DEMO_BLUEPRINTS: tuple[Blueprint, ...] = (WELSH_CONSORTIUM, LONDON_BOROUGH)

SCALE_SLUG = "scale-test"


def scale_blueprint(schools: int) -> Blueprint:
    """A large Welsh partnership over eight authorities, for scale tests and benchmarks."""
    names = ("Aran", "Berwyn", "Clwydian", "Elenydd", "Hiraethog", "Mawddach", "Rhinog", "Tarren")
    return Blueprint(
        slug=SCALE_SLUG,
        name="Scale Test Partnership",
        country=Country.WALES,
        schools=schools,
        local_authorities=tuple(
            LocalAuthoritySpec(name, f"8{i + 1:02d}", 1, (f"LL{30 + i}",))
            for i, name in enumerate(names)
        ),
        neighbours=tuple((i, (i + 1) % len(names)) for i in range(len(names))),
        welsh_medium_every=5,
        numbering="la",
        fsm_range=(5.0, 45.0),
        colour="#505a5f",
        seed=2028,
        exact=True,
    )


# --- Names ----------------------------------------------------------------------------

WELSH_PREFIXES = (
    "Aber", "Bryn", "Cwm", "Pen", "Glan", "Nant", "Pont", "Maes", "Rhyd",
    "Cefn", "Coed", "Blaen", "Llan", "Tre", "Pentre", "Dol", "Cors", "Tal",
)  # fmt: skip
#: Prefixes after which the stem takes the soft mutation (Llan + bedw = Llanfedw).
SOFT_MUTATING = frozenset({"Llan", "Tre", "Pentre", "Cors"})
WELSH_STEMS = (
    "afon", "bedw", "celyn", "derw", "eithin", "ffynnon", "garth", "gwern", "helyg",
    "hir", "llwyd", "meillion", "onnen", "pant", "rhos", "sarn", "teg", "gwyn", "coch",
    "du", "mawr", "bach", "ynys", "gelli", "berllan",
)  # fmt: skip
SOFT_MUTATION = (
    ("ll", "l"), ("rh", "r"), ("p", "b"), ("t", "d"), ("c", "g"),
    ("b", "f"), ("d", "dd"), ("g", ""), ("m", "f"),
)  # fmt: skip
#: Combinations that are real, well-known places; left out so no demo school sounds real.
REAL_PLACES = frozenset(
    {"Aberafon", "Blaenafon", "Brynteg", "Bryncoch", "Cefnmawr", "Cwmafon", "Llanwern",
     "Maesteg", "Pantmawr", "Pengelli", "Penrhos"}
)  # fmt: skip
ENGLISH_PREFIXES = (
    "Ash", "Beech", "Elm", "Oak", "Holly", "Hazel", "Willow", "Cedar",
    "Maple", "Alder", "Birch", "Rowan", "Lark", "Kestrel", "Wren", "Fern",
)  # fmt: skip
ENGLISH_SUFFIXES = (
    "field", "wood", "grove", "brook", "mead", "hill", "dale", "bank", "gate", "lands",
)  # fmt: skip
#: When the pool of place names runs out (scale tests), names take these qualifiers.
PLACE_QUALIFIERS = {
    "wales": ("", " Uchaf", " Isaf", " Newydd"),
    "england": ("", " Park", " Green", " Vale"),
}
SAINTS = (
    "Mary", "Joseph", "Anne", "John", "Paul", "Peter", "Michael",
    "Margaret", "Francis", "Luke", "Mark", "Stephen", "Teresa", "Catherine",
)  # fmt: skip

FIRST_NAMES = {
    "wales": (
        "Gwen", "Rhys", "Siân", "Dafydd", "Eleri", "Iwan", "Ffion", "Owain", "Carys", "Huw",
        "Nia", "Gethin", "Manon", "Llŷr", "Catrin", "Emyr", "Heledd", "Aled", "Lowri",
        "Geraint", "Mared", "Tomos", "Elin", "Rhodri", "Sara", "Mark", "Helen", "David",
        "Rachel", "James", "Claire", "Gareth",
    ),
    "england": (
        "Amira", "Tom", "Grace", "Daniel", "Priya", "Samuel", "Chloe", "Oliver", "Fatima",
        "Kwame", "Hannah", "Yusuf", "Sophie", "Marcus", "Aisha", "Jack", "Zainab", "Leon",
        "Olivia", "Tunde", "Emily", "Hassan", "Ruth", "Kofi",
    ),
}  # fmt: skip
LAST_NAMES = {
    "wales": (
        "Jones", "Davies", "Williams", "Evans", "Thomas", "Roberts", "Hughes", "Lewis",
        "Morgan", "Griffiths", "Owen", "Price", "Rees", "Jenkins", "Pritchard", "Powell",
        "Howells", "Llewellyn", "Parry", "Bowen", "Vaughan", "Prosser", "Watkins", "Harries",
    ),
    "england": (
        "Khan", "Clarke", "Okafor", "Murphy", "Patel", "Mensah", "Bennett", "Nowak", "Ahmed",
        "Campbell", "O'Brien", "Osei", "Shah", "Taylor", "Adeyemi", "Hughes", "Begum", "Walsh",
        "Kowalski", "Brown", "Ali", "Reid", "Afolabi", "Green",
    ),
}  # fmt: skip

PRIMARY_THEMES = (
    "Early reading", "Mathematical reasoning", "Oracy", "Outdoor learning",
    "Small rural schools", "Pupil voice", "Assessment for learning",
    "Additional learning needs", "Digital skills", "Wellbeing", "Science enquiry",
    "Expressive arts", "Family engagement", "Writing for purpose", "Play-based learning",
    "Multilingual learners",
)  # fmt: skip
SECONDARY_THEMES = (
    "Transition from primary", "Attendance", "Literacy across the curriculum",
    "Numeracy across the curriculum", "Post-16 collaboration", "Behaviour and relationships",
    "Middle leadership", "Disadvantaged learners", "Curriculum design",
    "Careers and work-related experience",
)  # fmt: skip

#: Why a category was set, as a challenge adviser would write it.
CATEGORY_REASONS = {
    SupportCategory.GREEN: (
        "Strong leadership and consistently good progress; the school can support others."
    ),
    SupportCategory.YELLOW: (
        "Effective school with clear priorities; light-touch support from the challenge adviser."
    ),
    SupportCategory.AMBER: (
        "Important areas need improving; tailored support brokered through the partnership."
    ),
    SupportCategory.RED: (
        "Significant concerns about standards and leadership; intensive support and "
        "close monitoring."
    ),
}
CATEGORY_ORDER = (
    SupportCategory.GREEN,
    SupportCategory.YELLOW,
    SupportCategory.AMBER,
    SupportCategory.RED,
)
CATEGORY_WEIGHTS = (38, 37, 18, 7)

PHASE_DIGITS = {
    Phase.NURSERY: "1",
    Phase.PRIMARY: "2",
    Phase.ALL_THROUGH: "3",
    Phase.SECONDARY: "4",
    Phase.PRU: "6",
    Phase.SPECIAL: "7",
}
PUPILS = {
    Phase.NURSERY: (40, 120),
    Phase.PRIMARY: (35, 460),
    Phase.ALL_THROUGH: (700, 1500),
    Phase.SECONDARY: (550, 1700),
    Phase.SPECIAL: (40, 220),
    Phase.PRU: (10, 60),
}
POSTCODE_LETTERS = "ABDEFGHJLNPQRSTUWXYZ"

#: How many days ago this year's categories were set (one of these, per school).
ROUND_DAYS_AGO = (12, 19, 26, 33, 40, 47)
#: Clusters per challenge adviser's caseload (about 20-25 schools).
CLUSTERS_PER_ADVISER = 3
#: Consecutive clusters whose schools form one round of school improvement groups.
CLUSTERS_PER_GROUP_BLOCK = 7


def _soft_mutation(stem: str) -> str:
    for radical, mutated in SOFT_MUTATION:
        if stem.startswith(radical):
            return mutated + stem[len(radical) :]
    return stem


def _join(prefix: str, stem: str) -> str:
    # A hyphen where letters would pile up: Tal-llwyd, not Talllwyd.
    return f"{prefix}-{stem}" if prefix[-1].lower() == stem[:1] else prefix + stem


def place_names(style: str, seed: int) -> list[str]:
    """Invented place names in a fixed shuffled order (Penrhos, Llanfedw / Oakbrook...)."""
    if style == "wales":
        names = [
            _join(prefix, _soft_mutation(stem) if prefix in SOFT_MUTATING else stem)
            for prefix in WELSH_PREFIXES
            for stem in WELSH_STEMS
        ]
        names = [name for name in names if name not in REAL_PLACES]
    else:
        names = [prefix + suffix for prefix in ENGLISH_PREFIXES for suffix in ENGLISH_SUFFIXES]
    names = sorted(set(names))
    random.Random(f"places:{style}:{seed}").shuffle(names)
    return names


def _place(pool: Sequence[str], style: str, index: int) -> str:
    base = pool[index % len(pool)]
    round_, qualifiers = index // len(pool), PLACE_QUALIFIERS[style]
    if round_ < len(qualifiers):
        return base + qualifiers[round_]
    return f"{base} {round_ - len(qualifiers) + 2}"


def person_name(style: str, key: str, seed: int) -> str:
    rng = random.Random(f"person:{seed}:{key}")
    return f"{rng.choice(FIRST_NAMES[style])} {rng.choice(LAST_NAMES[style])}"


def _school_name(style: str, phase: str, medium: str, place: str, rng: random.Random) -> str:
    welsh_named = style == "wales" and medium != LanguageMedium.ENGLISH
    if welsh_named:
        if phase == Phase.PRIMARY:
            if medium == LanguageMedium.WELSH:
                pattern = rng.choice(("Ysgol Gynradd Gymraeg {}", "Ysgol Gynradd {}", "Ysgol {}"))
                return pattern.format(place)
            pattern = "Ysgol Gynradd {}" if medium == LanguageMedium.DUAL_STREAM else "Ysgol {}"
            return pattern.format(place)
        pattern = {
            Phase.SECONDARY: (
                "Ysgol Gyfun Gymraeg {}" if medium == LanguageMedium.WELSH else "Ysgol Uwchradd {}"
            ),
            Phase.ALL_THROUGH: "Ysgol Bro {}",
            Phase.NURSERY: "Ysgol Feithrin {}",
            Phase.SPECIAL: "Ysgol Arbennig {}",
            Phase.PRU: "Uned Cyfeirio Disgyblion {}",
        }[phase]
        return pattern.format(place)
    if phase == Phase.PRIMARY:
        choices = {
            "wales": ("{} Primary School", "{} Community Primary School", "{} Primary School"),
            "england": ("{} Primary School", "{} Primary Academy", "{} Primary School"),
        }[style]
        return rng.choice(choices).format(place)
    if phase == Phase.SECONDARY:
        choices = {
            "wales": ("{} Comprehensive School", "{} High School"),
            "england": ("{} Academy", "{} School", "{} High School"),
        }[style]
        return rng.choice(choices).format(place)
    pattern = {
        Phase.ALL_THROUGH: "{} All-through School",
        Phase.NURSERY: "{} Nursery School",
        Phase.SPECIAL: "{} Special School",
        Phase.PRU: "{} Pupil Referral Unit",
    }[phase]
    return pattern.format(place)


def _lower_first(text: str) -> str:
    return text[:1].lower() + text[1:]


# --- Plans ----------------------------------------------------------------------------


@dataclass(frozen=True)
class SchoolPlan:
    index: int
    official_number: str
    name: str
    phase: str
    language_medium: str
    local_authority: str
    #: Name of the cluster; None for special schools and PRUs that serve a whole area.
    cluster: str | None
    cluster_index: int
    pupils: int
    fsm_percent: Decimal
    postcode: str
    #: Number of the school's challenge adviser (1 is the printed CA login).
    adviser: int
    #: Support categories, oldest first; the last is the current one.
    categories: tuple[str, ...]
    #: Whether the current category has been moderated.
    moderated: bool


@dataclass(frozen=True)
class ClusterPlan:
    name: str
    description: str


@dataclass(frozen=True)
class GroupPlan:
    """A school improvement group (or, with a parent, one of its smaller groups)."""

    name: str
    description: str
    members: tuple[str, ...]  # official numbers
    parent: str | None = None


@dataclass(frozen=True)
class Plan:
    schools: tuple[SchoolPlan, ...]
    clusters: tuple[ClusterPlan, ...]
    groups: tuple[GroupPlan, ...]
    advisers: int
    #: The school of the printed headteacher, governor and participant (amber, primary).
    featured: SchoolPlan
    #: The school of the printed hub lead (green).
    hub_school: SchoolPlan
    #: The school of the printed peer reviewer.
    reviewer_school: SchoolPlan


def _la_pattern(weights: Sequence[int]) -> list[int]:
    """Authorities in smooth weighted round-robin order, so neighbouring clusters differ."""
    current, total, order = [0] * len(weights), sum(weights), []
    for _ in range(total):
        for i, weight in enumerate(weights):
            current[i] += weight
        best = max(range(len(weights)), key=lambda i: current[i])
        current[best] -= total
        order.append(best)
    return order


def _category_history(rng: random.Random) -> tuple[tuple[str, ...], bool]:
    current = rng.choices(CATEGORY_ORDER, weights=CATEGORY_WEIGHTS)[0]
    history = [current]
    for _ in range(rng.choice((0, 1, 1, 2, 2, 2))):
        position = CATEGORY_ORDER.index(history[0])
        step = rng.choice((-1, 0, 0, 1))
        history.insert(0, CATEGORY_ORDER[max(0, min(len(CATEGORY_ORDER) - 1, position + step))])
    return tuple(history), rng.random() > 0.15


class _Numbers:
    """Official numbers in plan order: LA code + phase digit + serial, or a URN."""

    def __init__(self, blueprint: Blueprint):
        self.blueprint = blueprint
        self.serials: Counter[tuple[str, str]] = Counter()

    def next(self, index: int, la: LocalAuthoritySpec, phase: str) -> str:
        if self.blueprint.numbering == "urn":
            return str(self.blueprint.urn_base + index + 1)
        key = (la.code, PHASE_DIGITS[phase])
        self.serials[key] += 1
        return f"{la.code}{PHASE_DIGITS[phase]}{self.serials[key]:03d}"


def _cluster_phases(rng: random.Random, cluster_index: int) -> tuple[list[str], list[str]]:
    """(phases in the cluster, head first; phases of the unclustered schools after it)."""
    head = Phase.ALL_THROUGH if rng.random() < 0.12 else Phase.SECONDARY
    members = [head] + [Phase.PRIMARY] * rng.randint(4, 8)
    if rng.random() < 0.15:
        members.append(Phase.NURSERY)
    extras = []
    if cluster_index % 6 == 5:
        extras.append(Phase.SPECIAL)
    if cluster_index % 12 == 11:
        extras.append(Phase.PRU)
    return members, extras


def _medium(blueprint: Blueprint, welsh_cluster: bool, phase: str, rng: random.Random) -> str:
    if blueprint.country != Country.WALES:
        return LanguageMedium.ENGLISH
    if welsh_cluster and phase not in (Phase.SPECIAL, Phase.PRU):
        return LanguageMedium.WELSH
    roll = rng.random()
    if phase == Phase.PRIMARY:
        if roll < 0.05:
            return LanguageMedium.DUAL_STREAM
        if roll < 0.10:
            return LanguageMedium.BILINGUAL
    elif phase in (Phase.SECONDARY, Phase.SPECIAL) and roll < 0.10:
        return LanguageMedium.BILINGUAL
    return LanguageMedium.ENGLISH


def build_plan(blueprint: Blueprint) -> Plan:
    """Every school, cluster and group of a blueprint, deterministic and prefix-stable."""
    style, seed = blueprint.style, blueprint.seed
    pool = place_names(style, seed)
    las = blueprint.local_authorities
    la_order = _la_pattern([la.weight for la in las])
    numbers = _Numbers(blueprint)
    schools: list[SchoolPlan] = []
    clusters: list[ClusterPlan] = []
    complete_clusters: list[list[SchoolPlan]] = []
    cluster_index = 0
    while len(schools) < blueprint.schools:
        rng = random.Random(f"cluster:{seed}:{cluster_index}")
        la = las[la_order[cluster_index % len(la_order)]]
        welsh = bool(blueprint.welsh_medium_every) and (
            cluster_index % blueprint.welsh_medium_every == blueprint.welsh_medium_every - 1
        )
        members, extras = _cluster_phases(rng, cluster_index)
        cluster_name = ""
        in_cluster: list[SchoolPlan] = []
        for position, phase in enumerate(members + extras):
            if blueprint.exact and len(schools) == blueprint.schools:
                break
            index = len(schools)
            medium = _medium(blueprint, welsh, phase, rng)
            place = _place(pool, style, index)
            clustered = position < len(members)
            name = _school_name(style, phase, medium, place, rng)
            if position == 0:
                cluster_name = f"{place} cluster"
                medium_note = ", working through the medium of Welsh" if welsh else ""
                clusters.append(
                    ClusterPlan(
                        name=cluster_name,
                        description=f"{name} and its feeder schools{medium_note}.",
                    )
                )
            history, moderated = _category_history(rng)
            low, high = PUPILS[phase]
            district = rng.choice(la.postcode_districts)
            school = SchoolPlan(
                index=index,
                official_number=numbers.next(index, la, phase),
                name=name,
                phase=phase,
                language_medium=medium,
                local_authority=la.name,
                cluster=cluster_name if clustered else None,
                cluster_index=cluster_index,
                pupils=rng.randint(low, high),
                fsm_percent=Decimal(str(round(rng.uniform(*blueprint.fsm_range), 1))),
                postcode=(
                    f"{district} {rng.randint(1, 9)}"
                    f"{rng.choice(POSTCODE_LETTERS)}{rng.choice(POSTCODE_LETTERS)}"
                ),
                adviser=cluster_index // CLUSTERS_PER_ADVISER + 1,
                categories=history,
                moderated=moderated,
            )
            schools.append(school)
            if clustered:
                in_cluster.append(school)
        else:
            complete_clusters.append(in_cluster)
        cluster_index += 1

    _feature(schools)
    featured = schools[min(1, len(schools) - 1)]
    reviewer = next((s for s in schools if s.cluster_index == 1), schools[0])
    return Plan(
        schools=tuple(schools),
        clusters=tuple(clusters),
        groups=tuple(_groups(blueprint, complete_clusters)),
        advisers=max(s.adviser for s in schools),
        featured=featured,
        hub_school=schools[0],
        reviewer_school=reviewer,
    )


def _feature(schools: list[SchoolPlan]) -> None:
    """Give the printed logins' schools telling categories: a green hub, an amber primary."""
    schools[0] = replace(
        schools[0], categories=(SupportCategory.YELLOW, SupportCategory.GREEN), moderated=True
    )
    if len(schools) > 1:
        schools[1] = replace(
            schools[1], categories=(SupportCategory.YELLOW, SupportCategory.AMBER), moderated=True
        )


def _theme_name(themes: Sequence[str], number: int) -> tuple[str, str]:
    theme = themes[number % len(themes)]
    round_ = number // len(themes)
    return theme, f"{theme} SIG" + (f" {round_ + 1}" if round_ else "")


def _groups(blueprint: Blueprint, clusters: list[list[SchoolPlan]]) -> list[GroupPlan]:
    """School improvement groups across authorities: in each block of seven neighbouring
    clusters, two groups of primaries and one of secondaries, one school per cluster."""
    groups: list[GroupPlan] = []
    size = CLUSTERS_PER_GROUP_BLOCK
    for block in range(len(clusters) // size):
        rng = random.Random(f"groups:{blueprint.seed}:{block}")
        members = clusters[block * size : (block + 1) * size]
        primaries = [
            rng.sample(
                [s for s in cluster if s.phase == Phase.PRIMARY],
                k=min(2, sum(s.phase == Phase.PRIMARY for s in cluster)),
            )
            for cluster in members
        ]
        rounds = [
            (PRIMARY_THEMES, block * 2, [p[0] for p in primaries if p]),
            (PRIMARY_THEMES, block * 2 + 1, [p[1] for p in primaries if len(p) > 1]),
            (SECONDARY_THEMES, block, [cluster[0] for cluster in members]),
        ]
        for themes, number, schools in rounds:
            theme, name = _theme_name(themes, number)
            authorities = len({s.local_authority for s in schools})
            description = (
                f"Schools from {authorities} local authorities working together on "
                f"{_lower_first(theme)}."
                if authorities > 1
                else f"Schools working together on {_lower_first(theme)}."
            )
            numbers = tuple(s.official_number for s in schools)
            groups.append(GroupPlan(name=name, description=description, members=numbers))
            if themes is PRIMARY_THEMES and number % 4 == 0 and len(numbers) >= 6:
                half = len(numbers) // 2
                for label, part in (("group A", numbers[:half]), ("group B", numbers[half:])):
                    groups.append(
                        GroupPlan(
                            name=f"{name} – {label}",
                            description=f"A smaller group of the {name}.",
                            members=part,
                            parent=name,
                        )
                    )
    return groups


# --- Seeding --------------------------------------------------------------------------


class Kind(NamedTuple):
    """A kind of row, named for people: "1 school", "400 schools"."""

    singular: str
    plural: str

    @classmethod
    def of(cls, model: type[models.Model]) -> Kind:
        return cls(str(model._meta.verbose_name), str(model._meta.verbose_name_plural))

    def describe(self, number: int) -> str:
        return f"{number} {self.singular if number == 1 else self.plural}"


def describe(counts: dict[Kind, int]) -> str:
    """Counts in words: "1 partnership, 5 local authorities, 400 schools"."""
    return ", ".join(kind.describe(number) for kind, number in counts.items())


GROUP_MEMBERS = Kind(
    gettext_lazy("school improvement group member"),
    gettext_lazy("school improvement group members"),
)
PEOPLE = Kind(gettext_lazy("person"), gettext_lazy("people"))


def demo_password_hash() -> str:
    """The demo password hashed with the configured hasher and the fixed demo salt."""
    return make_password(DEMO_PASSWORD, salt=_DEMO_SALT)


def login_email(blueprint: Blueprint, role: str) -> str:
    """The printed login of a role: admin@gorllewin.example.org, senior-ca@..."""
    return f"{role.replace('_', '-')}@{blueprint.email_domain}"


@dataclass
class DemoContext:
    """What the seeders of one partnership share. Later seeders read what earlier ones
    put here (schools by official number, advisers, printed logins)."""

    partnership: Partnership
    blueprint: Blueprint
    plan: Plan
    password_hash: str
    now: datetime
    #: Rows added in this run, by kind.
    created: Counter[Kind] = field(default_factory=Counter)
    #: The printed login of each role.
    logins: dict[str, User] = field(default_factory=dict)
    local_authorities: dict[str, LocalAuthority] = field(default_factory=dict)
    clusters: dict[str, Cluster] = field(default_factory=dict)
    #: Every school of the plan, by official number.
    schools: dict[str, School] = field(default_factory=dict)
    #: Challenge advisers by number (1 is the printed CA login).
    advisers: dict[int, User] = field(default_factory=dict)
    _users: dict[str, User] | None = None
    _memberships: set[tuple[int, str, int | None]] | None = None

    def random(self, *key: Any) -> random.Random:
        """A random generator for one purpose, the same on every run."""
        return random.Random(":".join(str(part) for part in (self.blueprint.seed, *key)))

    def count(self, kind: type[models.Model] | Kind, number: int) -> None:
        """Record that `number` rows of a kind (a model, or a Kind) were added."""
        if number:
            self.created[kind if isinstance(kind, Kind) else Kind.of(kind)] += number

    def person(self, key: str) -> str:
        return person_name(self.blueprint.style, key, self.blueprint.seed)

    def ensure_users(self, people: Iterable[tuple[str, str]]) -> dict[str, User]:
        """Users by email, created (with the demo password) when missing."""
        from allauth.account.models import EmailAddress

        if self._users is None:
            domain = "@" + self.blueprint.email_domain
            self._users = {u.email: u for u in User.objects.filter(email__endswith=domain)}
        wanted = dict(people)
        new = [
            User(email=email, full_name=name, password=self.password_hash)
            for email, name in wanted.items()
            if email not in self._users
        ]
        User.objects.bulk_create(new, batch_size=BATCH_SIZE)
        if new and new[0].pk is None:  # a database that does not return ids from bulk inserts
            new = list(User.objects.filter(email__in=[u.email for u in new]))
        EmailAddress.objects.bulk_create(
            [EmailAddress(user=u, email=u.email, primary=True, verified=True) for u in new],
            batch_size=BATCH_SIZE,
            ignore_conflicts=True,
        )
        self._users.update((u.email, u) for u in new)
        self.count(User, len(new))
        return {email: self._users[email] for email in wanted}

    def ensure_memberships(self, wanted: Iterable[tuple[User, str, School | None]]) -> None:
        """Grant each (user, role, school) the partnership does not have yet."""
        if self._memberships is None:
            self._memberships = set(
                Membership.objects.order_by().values_list("user_id", "role", "school_id")
            )
        new = []
        for user, role, school in wanted:
            key = (user.pk, role, school.pk if school else None)
            if key not in self._memberships:
                self._memberships.add(key)
                new.append(
                    Membership(partnership=self.partnership, user=user, role=role, school=school)
                )
        Membership.objects.bulk_create(new, batch_size=BATCH_SIZE)
        self.count(Membership, len(new))

    def ensure_login(self, role: str, name: str, school: School | None = None) -> User:
        """The printed login of a role, holding that role (for a school if given)."""
        email = login_email(self.blueprint, role)
        user = self.ensure_users([(email, name)])[email]
        self.ensure_memberships([(user, role, school)])
        self.logins[role] = user
        return user


def seed_local_authorities(ctx: DemoContext) -> None:
    existing = {la.name: la for la in LocalAuthority.objects.all()}
    new = [
        LocalAuthority(partnership=ctx.partnership, name=spec.name, code=spec.code)
        for spec in ctx.blueprint.local_authorities
        if spec.name not in existing
    ]
    LocalAuthority.objects.bulk_create(new)
    ctx.count(LocalAuthority, len(new))
    ctx.local_authorities = {la.name: la for la in LocalAuthority.objects.all()}
    if not new:
        return
    specs = ctx.blueprint.local_authorities
    for first, second in ctx.blueprint.neighbours:
        ctx.local_authorities[specs[first].name].neighbours.add(
            ctx.local_authorities[specs[second].name]
        )


def seed_clusters(ctx: DemoContext) -> None:
    existing = set(Cluster.objects.values_list("name", flat=True))
    new = [
        Cluster(partnership=ctx.partnership, name=c.name, description=c.description)
        for c in ctx.plan.clusters
        if c.name not in existing
    ]
    Cluster.objects.bulk_create(new, batch_size=BATCH_SIZE)
    ctx.count(Cluster, len(new))
    ctx.clusters = {c.name: c for c in Cluster.objects.all()}


def seed_advisers(ctx: DemoContext) -> None:
    """The admin, the senior CA, the panel member and the team of challenge advisers."""
    for role in (Role.PARTNERSHIP_ADMIN, Role.SENIOR_CA, Role.PANEL_MEMBER):
        ctx.ensure_login(role, ctx.person(role))
    emails = {
        number: login_email(ctx.blueprint, Role.CHALLENGE_ADVISER)
        if number == 1
        else f"ca{number}@{ctx.blueprint.email_domain}"
        for number in range(1, ctx.plan.advisers + 1)
    }
    users = ctx.ensure_users((email, ctx.person(email)) for email in emails.values())
    ctx.advisers = {number: users[email] for number, email in emails.items()}
    ctx.ensure_memberships((user, Role.CHALLENGE_ADVISER, None) for user in ctx.advisers.values())
    ctx.logins[Role.CHALLENGE_ADVISER] = ctx.advisers[1]


def seed_schools(ctx: DemoContext) -> None:
    """Every school of the plan, on its adviser's caseload, with its current category
    (its history is written by seed_category_history)."""
    existing = set(School.objects.values_list("official_number", flat=True))
    new = [
        School(
            partnership=ctx.partnership,
            official_number=p.official_number,
            name=p.name,
            phase=p.phase,
            language_medium=p.language_medium,
            local_authority=ctx.local_authorities[p.local_authority],
            cluster=ctx.clusters[p.cluster] if p.cluster else None,
            pupils=p.pupils,
            fsm_percent=p.fsm_percent,
            postcode=p.postcode,
            report_language="cy" if p.language_medium == LanguageMedium.WELSH else "en",
            support_category=p.categories[-1],
            category_moderated=p.moderated,
            challenge_adviser=ctx.advisers[p.adviser],
        )
        for p in ctx.plan.schools
        if p.official_number not in existing
    ]
    School.objects.bulk_create(new, batch_size=BATCH_SIZE)
    ctx.count(School, len(new))
    planned = {p.official_number for p in ctx.plan.schools}
    ctx.schools = {
        s.official_number: s for s in School.objects.all() if s.official_number in planned
    }


def seed_school_groups(ctx: DemoContext) -> None:
    """Cross-authority school improvement groups, some split into smaller groups."""
    existing: dict[str, SchoolImprovementGroup] = {}
    # Parents first: a smaller group needs its parent's id.
    for subgroups in (False, True):
        existing = {g.name: g for g in SchoolImprovementGroup.objects.all()}
        new = [
            SchoolImprovementGroup(
                partnership=ctx.partnership,
                name=plan.name,
                description=plan.description,
                parent=existing[plan.parent] if plan.parent else None,
            )
            for plan in ctx.plan.groups
            if (plan.parent is not None) == subgroups and plan.name not in existing
        ]
        SchoolImprovementGroup.objects.bulk_create(new, batch_size=BATCH_SIZE)
        ctx.count(SchoolImprovementGroup, len(new))
        existing.update((g.name, g) for g in new)
    if any(g.pk is None for g in existing.values()):
        existing = {g.name: g for g in SchoolImprovementGroup.objects.all()}

    through = SchoolImprovementGroup.schools.through
    linked = set(
        through.objects.filter(schoolimprovementgroup__partnership=ctx.partnership).values_list(
            "schoolimprovementgroup_id", "school_id"
        )
    )
    links = [
        through(schoolimprovementgroup_id=group_id, school_id=school_id)
        for plan in ctx.plan.groups
        for group_id in [existing[plan.name].pk]
        for school_id in [ctx.schools[number].pk for number in plan.members]
        if (group_id, school_id) not in linked
    ]
    through.objects.bulk_create(links, batch_size=BATCH_SIZE)
    ctx.count(GROUP_MEMBERS, len(links))


def seed_school_people(ctx: DemoContext) -> None:
    """A headteacher for every school, and the printed logins that belong to a school."""
    plan = ctx.plan
    featured = ctx.schools[plan.featured.official_number]
    ctx.ensure_login(Role.HEADTEACHER, ctx.person("headteacher"), featured)
    ctx.ensure_login(Role.GOVERNOR, ctx.person("governor"), featured)
    ctx.ensure_login(Role.PARTICIPANT, ctx.person("participant"), featured)
    ctx.ensure_login(
        Role.HUB_LEAD, ctx.person("hub-lead"), ctx.schools[plan.hub_school.official_number]
    )
    ctx.ensure_login(
        Role.PEER_REVIEWER,
        ctx.person("peer-reviewer"),
        ctx.schools[plan.reviewer_school.official_number],
    )
    heads = {
        f"head.{p.official_number.lower()}@{ctx.blueprint.email_domain}": p.official_number
        for p in plan.schools
        if p.official_number != plan.featured.official_number
    }
    users = ctx.ensure_users((email, ctx.person(email)) for email in heads)
    ctx.ensure_memberships(
        (users[email], Role.HEADTEACHER, ctx.schools[number]) for email, number in heads.items()
    )


def seed_category_history(ctx: DemoContext) -> None:
    """For each school of the plan without a category history: its history as the plan
    has it, set by its challenge adviser, ending in the school's current category."""
    with_history = set(
        CategoryChange.objects.order_by().values_list("school_id", flat=True).distinct()
    )
    senior = ctx.logins.get(Role.SENIOR_CA)
    fallback_id = senior.pk if senior else None
    changes: list[CategoryChange] = []
    dates: list[datetime] = []
    for plan in ctx.plan.schools:
        school = ctx.schools[plan.official_number]
        if school.pk in with_history or not school.support_category:
            continue
        history = plan.categories
        if history[-1] != school.support_category:
            history = (school.support_category,)
        rng = ctx.random("history", plan.official_number)
        # Categories are set in a yearly round over a few weeks of the autumn: one of a
        # handful of dates per year, so the dates can be written with a few UPDATEs.
        round_date = ctx.now - timedelta(days=rng.choice(ROUND_DAYS_AGO))
        previous = ""
        for position, category in enumerate(history):
            latest = position == len(history) - 1
            changes.append(
                CategoryChange(
                    partnership=ctx.partnership,
                    school=school,
                    category=category,
                    previous_category=previous,
                    reason=CATEGORY_REASONS[category],
                    moderated=school.category_moderated if latest else True,
                    set_by_id=school.challenge_adviser_id or fallback_id,
                )
            )
            dates.append(round_date - timedelta(days=364 * (len(history) - 1 - position)))
            previous = category
    CategoryChange.objects.bulk_create(changes, batch_size=BATCH_SIZE)
    # set_at is stamped on insert; move each entry to the date of its round.
    by_date: dict[datetime, list[int]] = {}
    for change, when in zip(changes, dates, strict=True):
        by_date.setdefault(when, []).append(change.pk)
    for when, ids in by_date.items():
        if None in ids:  # a database that does not return ids from bulk inserts
            break
        for start in range(0, len(ids), BATCH_SIZE):
            CategoryChange.objects.filter(pk__in=ids[start : start + BATCH_SIZE]).update(
                set_at=when
            )
    ctx.count(CategoryChange, len(changes))


# --- Running --------------------------------------------------------------------------


@dataclass(frozen=True)
class SeedResult:
    partnership: Partnership
    #: Rows added by this run, by kind; empty when nothing was missing.
    created: dict[Kind, int]
    #: One (role, email) per role, in the order of partnership.models.Role.
    logins: list[tuple[str, str]]
    #: How many of each the partnership now holds.
    totals: dict[Kind, int]
    seconds: float


def seed(
    blueprint: Blueprint,
    *,
    password_hash: str | None = None,
    seeders: Sequence[str | Callable[[DemoContext], None]] = SEEDERS,
) -> SeedResult:
    """Build (or complete) one demo partnership; idempotent, in one transaction."""
    started = time.perf_counter()
    plan = build_plan(blueprint)
    password_hash = password_hash or demo_password_hash()
    with transaction.atomic():
        partnership = Partnership.objects.filter(slug=blueprint.slug).first()
        created_partnership = partnership is None
        if partnership is None:
            partnership = create_partnership(
                name=blueprint.name,
                slug=blueprint.slug,
                country=blueprint.country,
                default_language=blueprint.default_language,
                colour=blueprint.colour,
            )
        with tenant_scope(partnership):
            ctx = DemoContext(
                partnership=partnership,
                blueprint=blueprint,
                plan=plan,
                password_hash=password_hash,
                now=timezone.now(),
            )
            if created_partnership:
                ctx.count(Partnership, 1)
            for seeder in seeders:
                (import_string(seeder) if isinstance(seeder, str) else seeder)(ctx)
            _restore_logins(ctx)
            totals = {
                Kind.of(model): model.objects.count()
                for model in (LocalAuthority, School, Cluster, SchoolImprovementGroup)
            }
            totals[PEOPLE] = Membership.objects.order_by().values("user_id").distinct().count()
    logins = [(role, ctx.logins[role].email) for role in Role.values if role in ctx.logins]
    return SeedResult(
        partnership=partnership,
        created=dict(ctx.created),
        logins=logins,
        totals=totals,
        seconds=time.perf_counter() - started,
    )


def _restore_logins(ctx: DemoContext) -> None:
    """The printed logins always work: give back the demo password if it was changed."""
    ids = [user.pk for user in ctx.logins.values()]
    User.objects.filter(pk__in=ids).filter(
        ~Q(password=ctx.password_hash) | Q(is_active=False)
    ).update(password=ctx.password_hash, is_active=True)
