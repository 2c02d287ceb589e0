"""Demo group projects and a resource library for `manage.py seed_demo`.

Run by partnership.demo.seed() (listed in its SEEDERS) after the schools, groups and hubs
exist. Each partnership gets:

- projects of school improvement groups and clusters, with enabling funding, budget lines
  with spending, milestones (some done) and, for finished ones, an end-of-project
  evaluation; the printed headteacher's school leads its cluster's project, so that login
  runs one; in Wales a Welsh-medium sub-group (the Welsh-medium schools of a SIG) runs its
  own project;
- a library of resources from those projects and from the hubs and their programmes, in
  English, Welsh or bilingual versions (small generated text files, stored through the
  storage API under the partnership's folder, or links); some have no Welsh version, so
  the gaps list has something to show.

Idempotent like every seeder: projects are found by title, resources by title, a
resource's versions by language, the sub-group by name; only what is missing is added.
Deterministic: no random names; dates are relative to the run's `ctx.now`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import timedelta
from decimal import Decimal

from django.core.files.base import ContentFile
from django.db.models import Count, Q

from hubs.models import Hub, Programme
from partnership.demo import DemoContext
from partnership.models import Area, Country
from schools.models import Cluster, LanguageMedium, School, SchoolImprovementGroup

from .models import (
    GroupProject,
    Licence,
    Milestone,
    ProjectBudgetLine,
    ProjectEvaluation,
    ProjectStatus,
    Resource,
    ResourceKind,
    ResourceLanguage,
    ResourceStatus,
    ResourceVersion,
)

WELSH_SUBGROUP_SUFFIX = " – Welsh-medium group"


@dataclass(frozen=True)
class ProjectSpec:
    title: str
    #: "sig:<n>" (the n-th top-level SIG), "cluster:featured" (the printed headteacher's
    #: cluster), "cluster:<n>" (the n-th cluster) or "welsh-subgroup".
    group: str
    areas: tuple[str, ...]  # the first area slug the partnership has
    aims: str
    need: str
    #: Days from today the project started and ends.
    starts: int
    ends: int
    funding: Decimal
    #: (category, description, allocated, spent)
    budget: tuple[tuple[str, str, str, str], ...]
    #: (title, days from today it is due, done)
    milestones: tuple[tuple[str, int, bool], ...]
    outputs: str = ""
    #: (what changed, evidence, whole-school reach, staff involved, staff reached)
    evaluation: tuple[str, str, str, int, int] | None = None
    wales_only: bool = False


@dataclass(frozen=True)
class ResourceSpec:
    title: str
    summary: str
    kind: str
    areas: tuple[str, ...]
    #: "project:<title>", "hub:<n>" or "programme:<n>" (n-th by name/title).
    source: str
    #: Languages with a generated file; languages given as links.
    files: tuple[str, ...] = ()
    links: tuple[str, ...] = ()
    phases: tuple[str, ...] = ()
    licence: str = Licence.CC_BY
    downloads: int = 0
    #: Days before today it was published.
    published: int = 20
    extra: dict[str, str] = field(default_factory=dict)


ORACY = ("languages-literacy", "english-literacy", "teaching-and-learning")
NUMERACY = ("mathematics-numeracy", "mathematics", "teaching-and-learning")
WELSH = ("welsh", "curriculum", "teaching-and-learning")
TRANSITION = ("teaching-and-learning",)
WELLBEING = ("health-wellbeing", "wellbeing")

PROJECTS = (
    ProjectSpec(
        title="Talk for learning across the group",
        group="sig:0",
        areas=ORACY,
        aims="Every pupil explains their thinking in full sentences in every lesson, "
        "using shared talk frames and routines.",
        need="The needs survey put oracy first for all the group's schools; book looks "
        "showed pupils' written explanations were short and unstructured.",
        starts=-320,
        ends=-20,
        funding=Decimal("12000.00"),
        budget=(
            ("staffing", "Supply cover for joint planning days", "7000", "6850.00"),
            ("external", "Oracy trainer for two twilight sessions", "3000", "3000.00"),
            ("resources", "Printed talk frames and recording devices", "2000", "1725.40"),
        ),
        milestones=(
            ("Baseline recordings of pupils' talk", -280, True),
            ("Talk frames used in every class", -150, True),
            ("End-of-project recordings and book looks", -30, True),
        ),
        outputs="A bilingual talk-frames toolkit; recorded model lessons; a baseline and "
        "end-point recording protocol.",
        evaluation=(
            "Pupils in every class now use talk frames; in recordings, the share of pupils "
            "explaining their reasoning in full sentences rose from about a third to over "
            "two thirds.",
            "Baseline and end recordings in 12 classes; book looks in the autumn and the "
            "summer; staff survey.",
            "Each school led a staff meeting on the frames; all teaching assistants were "
            "trained; parents had a leaflet. The frames are now in every school's teaching "
            "and learning policy.",
            9,
            64,
        ),
    ),
    ProjectSpec(
        title="Reasoning in mathematics: a shared assessment",
        group="sig:1",
        areas=NUMERACY,
        aims="A shared reasoning assessment for Years 5 to 8, moderated across the group.",
        need="Transition data showed reasoning scores dropping between primary and "
        "secondary; schools assessed reasoning in different ways.",
        starts=-90,
        ends=240,
        funding=Decimal("8500.00"),
        budget=(
            ("staffing", "Cover for moderation meetings", "5000", "1800.00"),
            ("venues", "Moderation day venue", "800", "0"),
            ("administration", "Printing and collation", "700", "120.00"),
        ),
        milestones=(
            ("Draft assessment agreed", -30, True),
            ("First moderation meeting", 45, False),
            ("Summer moderation and report", 220, False),
        ),
        outputs="A reasoning assessment with mark schemes and moderated exemplars.",
    ),
    ProjectSpec(
        title="Cymraeg bob dydd: Welsh in every classroom",
        group="welsh-subgroup",
        areas=WELSH,
        aims="Rich, accurate spoken Welsh in every classroom, for pupils and staff, with "
        "patterns shared between the Welsh-medium schools.",
        need="Staff in the Welsh-medium schools asked for shared language patterns and "
        "for support for newly arrived pupils learning Welsh.",
        starts=-150,
        ends=200,
        funding=Decimal("6000.00"),
        budget=(
            ("staffing", "Release time for language champions", "4000", "2200.00"),
            ("resources", "Patrymau iaith cards and displays", "2000", "950.00"),
        ),
        milestones=(
            ("Language champions named in every school", -120, True),
            ("Shared language patterns published", -20, True),
            ("Pupil voice survey", 150, False),
        ),
        outputs="Language-pattern cards; a guide for welcoming latecomers to Welsh.",
        wales_only=True,
    ),
    ProjectSpec(
        title="Smooth transition to Year 7",
        group="cluster:featured",
        areas=TRANSITION,
        aims="Pupils start Year 7 knowing their teachers, the building and what they "
        "already know, so learning continues without a dip.",
        need="Year 7 baseline results dipped every year and pupils' wellbeing surveys "
        "showed anxiety about the move.",
        starts=-60,
        ends=300,
        funding=Decimal("5000.00"),
        budget=(
            ("staffing", "Bridging unit planning days", "3000", "900.00"),
            ("travel", "Transport for taster days", "1500", "0"),
        ),
        milestones=(
            ("Bridging unit planned together", 30, False),
            ("Taster days for Year 6", 200, False),
        ),
        outputs="A bridging unit taught in Year 6 and finished in Year 7.",
    ),
    ProjectSpec(
        title="Wellbeing check-ins that staff use",
        group="cluster:1",
        areas=WELLBEING,
        aims="A short daily wellbeing check-in in every class, with a clear route to "
        "support for pupils who need it.",
        need="Wellbeing surveys showed pupils did not know whom to talk to.",
        starts=30,
        ends=360,
        funding=Decimal("3000.00"),
        budget=(("resources", "Check-in materials for every class", "1500", "0"),),
        milestones=(("Check-in trialled in three classes", 90, False),),
    ),
)

PROJECT_ONE = PROJECTS[0].title
PROJECT_WELSH = PROJECTS[2].title

RESOURCES = (
    ResourceSpec(
        "Talk frames toolkit",
        "Sentence stems, talk roles and routines for structured talk, with a guide to "
        "introducing them in a class.",
        ResourceKind.TOOLKIT,
        ORACY,
        f"project:{PROJECT_ONE}",
        files=(ResourceLanguage.ENGLISH, ResourceLanguage.WELSH),
        phases=("primary",),
        downloads=46,
        published=40,
    ),
    ResourceSpec(
        "Recording pupils' talk: a protocol",
        "How to record and compare pupils' talk at the start and the end of a project.",
        ResourceKind.DOCUMENT,
        ORACY,
        f"project:{PROJECT_ONE}",
        files=(ResourceLanguage.ENGLISH,),
        downloads=19,
        published=35,
    ),
    ResourceSpec(
        "Model lessons: talk in science",
        "Three recorded lessons showing the talk frames in science.",
        ResourceKind.LINK,
        ORACY,
        f"project:{PROJECT_ONE}",
        links=(ResourceLanguage.ENGLISH,),
        downloads=12,
        published=30,
    ),
    ResourceSpec(
        "Reasoning assessment, Years 5 to 8 (draft)",
        "The draft assessment and mark scheme, for schools to try before moderation.",
        ResourceKind.DOCUMENT,
        NUMERACY,
        "project:Reasoning in mathematics: a shared assessment",
        files=(ResourceLanguage.ENGLISH,),
        phases=("primary", "secondary"),
        downloads=8,
        published=6,
    ),
    ResourceSpec(
        "Patrymau iaith: language pattern cards",
        "Cards of everyday Welsh language patterns for classrooms and corridors.",
        ResourceKind.DOCUMENT,
        WELSH,
        f"project:{PROJECT_WELSH}",
        files=(ResourceLanguage.WELSH,),
        downloads=23,
        published=18,
    ),
    ResourceSpec(
        "Welcoming latecomers to Welsh",
        "A bilingual guide for schools welcoming pupils who are new to Welsh.",
        ResourceKind.DOCUMENT,
        WELSH,
        f"project:{PROJECT_WELSH}",
        files=(ResourceLanguage.BILINGUAL,),
        downloads=15,
        published=4,
    ),
    ResourceSpec(
        "Maths mastery: session materials",
        "Slides and gap tasks from the hub's maths mastery programme.",
        ResourceKind.DOCUMENT,
        NUMERACY,
        "programme:0",
        files=(ResourceLanguage.ENGLISH,),
        downloads=31,
        published=25,
    ),
    ResourceSpec(
        "Hub network meeting notes",
        "Notes and actions from the hub's termly network meetings.",
        ResourceKind.DOCUMENT,
        NUMERACY,
        "hub:0",
        files=(ResourceLanguage.ENGLISH, ResourceLanguage.WELSH),
        downloads=5,
        published=12,
    ),
    ResourceSpec(
        "Planning for progression: a toolkit",
        "A toolkit for planning progression across a phase, from the hub's programme.",
        ResourceKind.TOOLKIT,
        TRANSITION,
        "programme:1",
        links=(ResourceLanguage.ENGLISH,),
        downloads=9,
        published=3,
    ),
)


def _area(areas: dict[str, Area], slugs: tuple[str, ...]) -> Area | None:
    for slug in slugs:
        if slug in areas:
            return areas[slug]
    return next(iter(areas.values()), None)


def _welsh_subgroup(ctx: DemoContext) -> SchoolImprovementGroup | None:
    """A smaller group of a SIG's Welsh-medium schools (made once, found by name)."""
    existing = SchoolImprovementGroup.objects.filter(name__endswith=WELSH_SUBGROUP_SUFFIX).first()
    if existing is not None:
        return existing
    welsh = Q(schools__language_medium=LanguageMedium.WELSH)
    parent = (
        SchoolImprovementGroup.objects.filter(parent__isnull=True)
        .annotate(welsh=Count("schools", filter=welsh))
        .filter(welsh__gte=2)
        .order_by("name")
        .first()
    )
    if parent is None:
        return None
    group = SchoolImprovementGroup.objects.create(
        partnership=ctx.partnership,
        name=f"{parent.name}{WELSH_SUBGROUP_SUFFIX}",
        description=f"The Welsh-medium schools of the {parent.name}.",
        parent=parent,
    )
    group.schools.set(parent.schools.filter(language_medium=LanguageMedium.WELSH)[:6])
    ctx.count(SchoolImprovementGroup, 1)
    return group


def _group_and_schools(
    ctx: DemoContext, key: str, sigs: list[SchoolImprovementGroup], clusters: list[Cluster]
) -> tuple[Cluster | SchoolImprovementGroup | None, list[School], School | None]:
    """The group a spec names, its member schools (up to six) and the lead school."""
    kind, _sep, which = key.partition(":")
    if kind == "welsh-subgroup":
        group = _welsh_subgroup(ctx)
        schools = list(group.schools.all()[:6]) if group else []
        return group, schools, schools[0] if schools else None
    if kind == "sig":
        index = int(which)
        if index >= len(sigs):
            return None, [], None
        group = sigs[index]
        schools = list(group.schools.order_by("official_number")[:6])
        return group, schools, schools[0] if schools else None
    if which == "featured":
        featured = ctx.schools.get(ctx.plan.featured.official_number)
        if featured is None or featured.cluster_id is None:
            return None, [], None
        group = Cluster.objects.get(pk=featured.cluster_id)
        schools = [featured] + [
            s for s in group.schools.order_by("official_number")[:5] if s.pk != featured.pk
        ]
        return group, schools, featured
    index = int(which)
    if index >= len(clusters):
        return None, [], None
    group = clusters[index]
    schools = list(group.schools.order_by("official_number")[:6])
    return group, schools, schools[0] if schools else None


def _seed_projects(ctx: DemoContext, areas: dict[str, Area]) -> dict[str, GroupProject]:
    existing = {p.title: p for p in GroupProject.objects.all()}
    sigs = list(SchoolImprovementGroup.objects.filter(parent__isnull=True).order_by("name"))
    clusters = list(Cluster.objects.order_by("name"))
    today = ctx.now.date()
    wales = ctx.blueprint.country == Country.WALES
    new_lines, new_milestones, new_evaluations = [], [], []
    for spec in PROJECTS:
        if spec.title in existing or (spec.wales_only and not wales):
            continue
        area = _area(areas, spec.areas)
        group, schools, lead = _group_and_schools(ctx, spec.group, sigs, clusters)
        if group is None or lead is None or area is None:
            continue
        if spec.evaluation:
            status = ProjectStatus.COMPLETED
        else:
            status = ProjectStatus.ACTIVE if spec.starts <= 0 else ProjectStatus.PLANNED
        project = GroupProject.objects.create(
            partnership=ctx.partnership,
            title=spec.title,
            cluster=group if isinstance(group, Cluster) else None,
            sig=group if isinstance(group, SchoolImprovementGroup) else None,
            area=area,
            aims=spec.aims,
            need=spec.need,
            lead_school=lead,
            starts_on=today + timedelta(days=spec.starts),
            ends_on=today + timedelta(days=spec.ends),
            funding_allocated=spec.funding,
            outputs=spec.outputs,
            status=status,
        )
        project.schools.set(schools)
        existing[spec.title] = project
        ctx.count(GroupProject, 1)
        new_lines += [
            ProjectBudgetLine(
                partnership=ctx.partnership,
                project=project,
                category=category,
                description=description,
                allocated=Decimal(allocated),
                spent=Decimal(spent),
            )
            for category, description, allocated, spent in spec.budget
        ]
        new_milestones += [
            Milestone(
                partnership=ctx.partnership,
                project=project,
                title=title,
                due_on=today + timedelta(days=due),
                completed_on=today + timedelta(days=due - 3) if done else None,
            )
            for title, due, done in spec.milestones
        ]
        if spec.evaluation:
            changed, evidence, reach, involved, reached = spec.evaluation
            new_evaluations.append(
                ProjectEvaluation(
                    partnership=ctx.partnership,
                    project=project,
                    what_changed=changed,
                    evidence=evidence,
                    whole_school_reach=reach,
                    staff_involved=involved,
                    staff_reached=reached,
                )
            )
    ProjectBudgetLine.objects.bulk_create(new_lines)
    Milestone.objects.bulk_create(new_milestones)
    ProjectEvaluation.objects.bulk_create(new_evaluations)
    ctx.count(ProjectBudgetLine, len(new_lines))
    ctx.count(Milestone, len(new_milestones))
    ctx.count(ProjectEvaluation, len(new_evaluations))
    return existing


def _file_text(spec: ResourceSpec, language: str) -> str:
    if language == ResourceLanguage.WELSH:
        return f"{spec.title}\n\nFersiwn Gymraeg.\n\n{spec.summary}\n"
    if language == ResourceLanguage.BILINGUAL:
        return f"{spec.title}\n\nFersiwn ddwyieithog / Bilingual version.\n\n{spec.summary}\n"
    return f"{spec.title}\n\nEnglish version.\n\n{spec.summary}\n"


def _source(
    spec: ResourceSpec,
    projects: dict[str, GroupProject],
    hubs: list[Hub],
    programmes: list[Programme],
) -> dict[str, object] | None:
    kind, _sep, which = spec.source.partition(":")
    if kind == "project":
        project = projects.get(which)
        if project is None:
            return None
        return {"source_project": project, "author_school": project.lead_school}
    items = hubs if kind == "hub" else programmes
    index = int(which)
    if not items:
        return None
    item = items[index % len(items)]
    if kind == "hub":
        return {"source_hub": item, "author_school": item.schools.order_by("pk").first()}
    return {
        "source_programme": item,
        "source_hub": item.hub,
        "author_school": item.hub.schools.order_by("pk").first(),
    }


def _seed_resources(
    ctx: DemoContext, areas: dict[str, Area], projects: dict[str, GroupProject]
) -> None:
    existing = {r.title: r for r in Resource.objects.all()}
    hubs = list(Hub.objects.order_by("name"))
    programmes = list(
        Programme.objects.exclude(status="draft").select_related("hub").order_by("title")
    )
    versions = set(ResourceVersion.objects.values_list("resource__title", "language"))
    wales = ctx.blueprint.country == Country.WALES
    for spec in RESOURCES:
        resource = existing.get(spec.title)
        if resource is None:
            source = _source(spec, projects, hubs, programmes)
            area = _area(areas, spec.areas)
            if source is None or area is None:
                continue
            resource = Resource.objects.create(
                partnership=ctx.partnership,
                title=spec.title,
                summary=spec.summary,
                kind=spec.kind,
                area=area,
                phases=list(spec.phases),
                licence=spec.licence,
                status=ResourceStatus.PUBLISHED,
                published_at=ctx.now - timedelta(days=spec.published),
                **source,
            )
            ctx.count(Resource, 1)
        languages = [(lang, True) for lang in spec.files] + [(lang, False) for lang in spec.links]
        for index, (language, as_file) in enumerate(languages):
            # England's demo keeps English only: the missing-Welsh list still has entries.
            if not wales and language != ResourceLanguage.ENGLISH:
                continue
            if (spec.title, language) in versions:
                continue
            version = ResourceVersion(
                partnership=ctx.partnership,
                resource=resource,
                language=language,
                download_count=spec.downloads // (index + 1),
            )
            if as_file:
                content = _file_text(spec, language).encode()
                version.original_name = f"{spec.title[:60]} ({language}).txt"
                version.content_type = "text/plain"
                version.size = len(content)
                version.file.save(str(version.uuid), ContentFile(content), save=False)
            else:
                version.url = (
                    f"https://resources.example.org/{ctx.blueprint.slug}/{resource.pk}/{language}"
                )
            version.save()
            versions.add((spec.title, language))
            ctx.count(ResourceVersion, 1)


def seed_collaboration(ctx: DemoContext) -> None:
    """Group projects with funding and evaluations, and a library with Welsh gaps."""
    if not ctx.schools:
        return
    areas = {a.slug: a for a in Area.objects.filter(is_active=True)}
    if not areas:
        return
    projects = _seed_projects(ctx, areas)
    _seed_resources(ctx, areas, projects)
