"""What a report says, as a list of sections, each built by one small function.

A builder takes the `ReportContext` and returns the section's data, or None when its app
has nothing for this school and term yet; the template then says "No data yet" instead of
failing. Builders read other apps only through their selectors (and reports/selectors.py
for the few figures no app offers), so the report follows each app as it grows.

The same `Report` is rendered as a web page and as the PDF; only `table_mode` differs
(a PDF cannot open a folded table, so its charts show their figures).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from brokerage import selectors as brokerage_selectors
from brokerage.models import Need, SupportAgreement
from collaboration import selectors as collaboration_selectors
from hubs import selectors as hub_selectors
from panels import selectors as panel_selectors
from partnership.charts import BarChart, Series, bar_chart
from partnership.models import Partnership, Term
from schools import selectors as school_selectors
from schools.models import School, SchoolImprovementGroup, SupportCategory
from surveys import selectors as survey_selectors

from . import selectors
from .models import ReportKind

#: Bar colours of the support categories (yellow darkened so it stands out on white).
CATEGORY_COLOURS = {
    SupportCategory.GREEN: "#00703c",
    SupportCategory.YELLOW: "#b58800",
    SupportCategory.AMBER: "#f47738",
    SupportCategory.RED: "#d4351c",
    "": "#505a5f",
}


@dataclass
class ReportContext:
    partnership: Partnership
    term: Term
    school: School | None = None
    #: "details" on the web page, "visible" in the PDF (see partnership.charts).
    table_mode: str = "details"
    #: Data of the sections built so far, by key (the summary reads it).
    built: dict[str, Any] = field(default_factory=dict)

    def chart(self, **kwargs: Any) -> BarChart:
        return bar_chart(table=self.table_mode, **kwargs)


@dataclass(frozen=True)
class SectionSpec:
    key: str
    title: str | Promise
    build: Callable[[ReportContext], Any]

    @property
    def template(self) -> str:
        return f"reports/sections/{self.key}.html"


@dataclass
class Section:
    key: str
    title: str
    template: str
    #: None: nothing to show yet ("No data yet").
    data: Any
    number: int

    @property
    def anchor(self) -> str:
        return f"section-{self.key}"


@dataclass
class Report:
    kind: str
    partnership: Partnership
    term: Term
    school: School | None
    sections: list[Section]
    generated_at: Any

    @property
    def title(self) -> str:
        if self.kind == ReportKind.SCHOOL:
            return _("Termly report for governors")
        return _("Partnership board report")

    @property
    def subject(self) -> str:
        return self.school.name if self.school else self.partnership.name


def _in_term(agreement: SupportAgreement, term: Term) -> bool:
    return agreement.starts_on <= term.ends_on and agreement.ends_on >= term.starts_on


def _status_counts(choices: Any, values: list[str]) -> list[tuple[str, int]]:
    counts = Counter(values)
    return [(label, counts.get(value, 0)) for value, label in choices if counts.get(value)]


# --- The school's report -------------------------------------------------------------------


def school_category(ctx: ReportContext) -> dict | None:
    """The school's support category now and its history up to the end of the term."""
    school = school_selectors.school_detail(ctx.school.pk)
    history = [
        change
        for change in school.category_history.all()
        if timezone.localdate(change.set_at) <= ctx.term.ends_on
    ]
    if not school.support_category and not history:
        return None
    return {
        "category": school.support_category,
        "category_label": school.get_support_category_display(),
        "moderated": school.category_moderated,
        "history": history,
    }


def school_support(ctx: ReportContext) -> dict | None:
    """Brokered support the school received and gave during the term, with outcomes."""
    support = brokerage_selectors.school_support(ctx.school)
    received = [
        a
        for a in support.received
        if a.status != SupportAgreement.Status.DECLINED and _in_term(a, ctx.term)
    ]
    given = [
        a
        for a in support.given
        if a.status != SupportAgreement.Status.DECLINED and _in_term(a, ctx.term)
    ]
    if not received and not given:
        return None
    outcomes = selectors.outcomes_of(a.pk for a in received + given)
    for agreement in received + given:
        agreement.report_outcome = outcomes.get(agreement.pk)
    days_received = sum((a.delivered for a in received), Decimal("0"))
    days_given = sum((a.delivered for a in given), Decimal("0"))
    return {
        "received": received,
        "given": given,
        "days_received": days_received,
        "days_given": days_given,
        "chart": ctx.chart(
            title=_("Days of support delivered"),
            labels=[_("Support received"), _("Support given")],
            series=[Series(_("Days delivered"), [days_received, days_given])],
            label_heading=_("Support"),
            decimals=1,
            chart_id="chart-support-days",
        ),
    }


def school_programmes(ctx: ReportContext) -> dict | None:
    """Staff with a place on a hub programme that met during the term, their attendance,
    and the impact results of the school's staff (surveys' own selector)."""
    enrolments = selectors.enrolments_of_school(ctx.school, ctx.term)
    impact = _impact_results(ctx)
    if not enrolments and not impact:
        return None
    programmes: dict[int, dict] = {}
    for enrolment in enrolments:
        row = programmes.setdefault(
            enrolment.programme_id, {"programme": enrolment.programme, "staff": []}
        )
        row["staff"].append(enrolment)
    return {
        "enrolments": enrolments,
        "programmes": list(programmes.values()),
        "staff": len({e.participant_email.lower() for e in enrolments}),
        "attended": sum(e.attended for e in enrolments),
        "marks": sum(e.marks for e in enrolments),
        "impact": impact,
    }


def _impact_results(ctx: ReportContext) -> list:
    """Impact-survey results of the school's staff, per programme, where someone answered."""
    rows = survey_selectors.impact_by("programme", school=ctx.school, source="programme")
    return [row for row in rows if row.summary.has_answers]


def school_needs(ctx: ReportContext) -> dict | None:
    """Needs the school logged up to the end of the term: those still being worked on and
    those settled during the term."""
    term = ctx.term
    needs = [
        need
        for need in brokerage_selectors.needs_of({ctx.school.pk})
        if timezone.localdate(need.created_at) <= term.ends_on
        and (
            need.status in (Need.Status.OPEN, Need.Status.BROKERED, Need.Status.IN_PROGRESS)
            or timezone.localdate(need.updated_at) >= term.starts_on
        )
    ]
    if not needs:
        return None
    by_status = _status_counts(Need.Status.choices, [n.status for n in needs])
    return {
        "needs": needs,
        "by_status": by_status,
        "open": sum(1 for n in needs if n.status == Need.Status.OPEN),
        "chart": ctx.chart(
            title=_("Needs by status"),
            labels=[label for label, _count in by_status],
            series=[Series(_("Needs"), [count for _label, count in by_status])],
            label_heading=_("Status"),
            chart_id="chart-needs-status",
        ),
    }


def school_peer_review(ctx: ReportContext) -> dict | None:
    """Peer-review findings the headteacher shares with the governors."""
    findings = selectors.shared_findings_for_governors(ctx.school)
    return {"findings": findings} if findings else None


def school_groups(ctx: ReportContext) -> dict | None:
    """The school's cluster and improvement groups, and their projects running during the
    term with what they published (collaboration's own selector)."""
    activity = collaboration_selectors.group_activity_for_school(
        ctx.school, starts_on=ctx.term.starts_on, ends_on=ctx.term.ends_on
    )
    if activity.is_empty:
        return None
    return {
        "cluster": ctx.school.cluster if ctx.school.cluster_id else None,
        "sigs": [g for g in activity.groups if isinstance(g, SchoolImprovementGroup)],
        "projects": activity.projects,
        "resources": activity.resources,
        "groups": len(activity.groups),
    }


def school_summary(ctx: ReportContext) -> dict:
    """The one-page summary: the headline of every other section."""
    built = ctx.built
    category = built.get("category") or {}
    support = built.get("support") or {}
    programmes = built.get("programmes") or {}
    needs = built.get("needs") or {}
    peer = built.get("peer_review") or {}
    groups = built.get("groups") or {}
    return {
        "category": category.get("category", ""),
        "category_label": category.get("category_label", ""),
        "days_received": support.get("days_received"),
        "days_given": support.get("days_given"),
        "agreements": len(support.get("received", [])) + len(support.get("given", [])),
        "staff": programmes.get("staff", 0),
        "programmes": len(programmes.get("programmes", [])),
        "needs": len(needs.get("needs", [])),
        "open_needs": needs.get("open", 0),
        "peer_review_shared": bool(peer.get("findings")),
        "groups": groups.get("groups", 0),
    }


SCHOOL_SECTIONS: tuple[SectionSpec, ...] = (
    SectionSpec("summary", gettext_lazy("Summary"), school_summary),
    SectionSpec("category", gettext_lazy("Support category"), school_category),
    SectionSpec("support", gettext_lazy("Support received and given"), school_support),
    SectionSpec("programmes", gettext_lazy("Programmes"), school_programmes),
    SectionSpec("needs", gettext_lazy("Needs"), school_needs),
    SectionSpec("peer_review", gettext_lazy("Peer review"), school_peer_review),
    SectionSpec("groups", gettext_lazy("Clusters and improvement groups"), school_groups),
)


# --- The board's report --------------------------------------------------------------------


def board_categories(ctx: ReportContext) -> dict | None:
    """Schools in each support category at the end of this term and the terms before."""
    terms = selectors.terms_up_to(ctx.term)
    counts = selectors.categories_at([t.ends_on for t in terms])
    if not any(sum(c.values()) for c in counts.values()):
        return None
    categories = [*SupportCategory.values, ""]
    labels = dict(SupportCategory.choices) | {"": _("Not categorised")}
    rows = [(term, counts[term.ends_on]) for term in terms]
    shown = [c for c in categories if any(row[c] for _term, row in rows)]
    return {
        "categories": [(c, labels[c]) for c in shown],
        "rows": [(term, [counts_[c] for c in shown]) for term, counts_ in rows],
        "now": rows[-1][1],
        "chart": ctx.chart(
            title=_("Schools by support category, term by term"),
            labels=[str(term) for term in terms],
            series=[
                Series(str(labels[c]), [row[c] for _term, row in rows], CATEGORY_COLOURS[c])
                for c in shown
            ],
            label_heading=_("Term"),
            chart_id="chart-categories-over-time",
        ),
    }


def board_brokerage(ctx: ReportContext) -> dict | None:
    """The partnership's brokerage figures (needs, agreements, busiest providers)."""
    figures = brokerage_selectors.brokerage_dashboard(partnership=ctx.partnership)
    if not figures.total_needs and not figures.live_agreements:
        return None
    areas = [a for a in figures.areas if a.total]
    return {
        "figures": figures,
        "areas": areas,
        "chart": ctx.chart(
            title=_("Needs by area and status"),
            labels=[a.area.display_name for a in areas],
            series=[
                Series(str(label), [a.by_status.get(value, 0) for a in areas])
                for value, label in Need.Status.choices
            ],
            label_heading=_("Area"),
            chart_id="chart-needs-by-area",
        ),
    }


def board_hubs(ctx: ReportContext) -> dict | None:
    """Hub value for money (hubs' own selector): funding, spend, participants, attendance,
    deliverables, and the participants' impact change (surveys' own selector)."""
    value = hub_selectors.value_for_money()
    if not value.hubs:
        return None
    funded = [row for row in value.hubs if row.figures.participants]
    impact = {row.key: row.summary for row in survey_selectors.impact_by("hub")}
    for row in value.hubs:
        row.impact = impact.get(row.hub.pk)
    return {
        "value": value,
        "chart": ctx.chart(
            title=_("Cost per participant by hub"),
            labels=[row.hub.name for row in funded],
            series=[
                Series(_("£ per participant"), [row.figures.cost_per_participant for row in funded])
            ],
            label_heading=_("Hub"),
            decimals=2,
            chart_id="chart-hub-cost",
        )
        if funded
        else None,
    }


def board_needs_survey(ctx: ReportContext) -> dict | None:
    """The latest needs-survey round closed by the end of the term (or the next):
    response rate and regional need by area (surveys' own selectors); before any round
    has closed, the next one."""
    rounds = list(survey_selectors.rounds())
    round_ = next((r for r in rounds if r.deadline <= ctx.term.ends_on), None) or (
        rounds[-1] if rounds else None
    )
    if round_ is None:
        return None
    _by_authority, total = survey_selectors.round_response_rates(round_)
    needs = survey_selectors.regional_need(round_)
    if not total.submitted and not needs:
        return None
    return {
        "round": round_,
        "rates": total,
        "needs": needs,
        "chart": ctx.chart(
            title=_("Regional need by area (weighted points)"),
            labels=[need.area for need in needs],
            series=[Series(_("Points"), [need.points for need in needs])],
            label_heading=_("Area"),
            chart_id="chart-needs-survey",
        ),
    }


def board_panel_decisions(ctx: ReportContext) -> dict | None:
    """Decisions the panels published during the term: meeting decisions and their
    judgements of programmes and support (panels' own selector)."""
    decisions = panel_selectors.published_decisions(
        ctx.partnership, start=ctx.term.starts_on, end=ctx.term.ends_on
    )
    return {"decisions": decisions} if decisions else None


def board_peer_review(ctx: ReportContext) -> dict | None:
    """Themes from peer reviews: judgements by review area, counted across schools."""
    from peerreview.models import Judgement

    themes = selectors.peer_review_themes(ctx.term)
    if not themes:
        return None
    judgements = list(Judgement.choices)
    return {
        "judgements": judgements,
        "rows": [
            (t["area"], [t["counts"].get(value, 0) for value, _l in judgements]) for t in themes
        ],
        "chart": ctx.chart(
            title=_("Peer-review judgements by area"),
            labels=[t["area"] for t in themes],
            series=[
                Series(str(label), [t["counts"].get(value, 0) for t in themes])
                for value, label in judgements
            ],
            label_heading=_("Area"),
            chart_id="chart-peer-review-themes",
        ),
    }


def board_summary(ctx: ReportContext) -> dict:
    built = ctx.built
    categories = built.get("categories") or {}
    brokerage = built.get("brokerage") or {}
    hubs = built.get("hubs") or {}
    figures = brokerage.get("figures")
    value = hubs.get("value")
    now = categories.get("now") or Counter()
    return {
        "schools": sum(now.values()),
        "red_amber": now.get(SupportCategory.RED, 0) + now.get(SupportCategory.AMBER, 0),
        "open_needs": figures.open_needs if figures else None,
        "live_agreements": figures.live_agreements if figures else None,
        "hubs": len(value.hubs) if value else None,
        "hub_funding": value.total.funding if value else None,
        "participants": value.total.participants if value else None,
        "decisions": len((built.get("panel_decisions") or {}).get("decisions", [])),
    }


BOARD_SECTIONS: tuple[SectionSpec, ...] = (
    SectionSpec("board_summary", gettext_lazy("Summary"), board_summary),
    SectionSpec("categories", gettext_lazy("Support categories over time"), board_categories),
    SectionSpec("brokerage", gettext_lazy("Brokerage"), board_brokerage),
    SectionSpec("hubs", gettext_lazy("Value for money"), board_hubs),
    SectionSpec("needs_survey", gettext_lazy("Needs survey results"), board_needs_survey),
    SectionSpec("panel_decisions", gettext_lazy("Panel decisions"), board_panel_decisions),
    SectionSpec("peer_review_themes", gettext_lazy("Peer-review themes"), board_peer_review),
)

#: Summaries are built last (from the other sections) but shown first.
SUMMARY_KEYS = {"summary", "board_summary"}


def build_report(
    kind: str,
    *,
    partnership: Partnership,
    term: Term,
    school: School | None = None,
    table_mode: str = "details",
    on_progress: Callable[[int, int], None] | None = None,
) -> Report:
    """Build every section of a school's report (kind "school") or the board report.
    `on_progress(done, total)` is called after each section (the run's progress bar)."""
    specs = SCHOOL_SECTIONS if kind == ReportKind.SCHOOL else BOARD_SECTIONS
    ctx = ReportContext(partnership=partnership, term=term, school=school, table_mode=table_mode)
    ordered = [s for s in specs if s.key not in SUMMARY_KEYS] + [
        s for s in specs if s.key in SUMMARY_KEYS
    ]
    for done, spec in enumerate(ordered, start=1):
        ctx.built[spec.key] = spec.build(ctx)
        if on_progress:
            on_progress(done, len(ordered))
    sections = [
        Section(
            key=spec.key,
            title=str(spec.title),
            template=spec.template,
            data=ctx.built[spec.key],
            number=number,
        )
        for number, spec in enumerate(specs, start=1)
    ]
    return Report(
        kind=kind,
        partnership=partnership,
        term=term,
        school=school,
        sections=sections,
        generated_at=timezone.now(),
    )
