"""Value for money: every figure per hub, per area and in total, worked out from known data.

The data (built by `known`):

- Cwm numeracy hub: two agreements (£20,000 and £4,000); spend £1,500.00 + £2,500.25 on the
  first and £1,000.00 on the second; programme A with 3 confirmed places (plus one on the
  waiting list and one cancelled) and two sessions, programme B with 1 confirmed place and
  one session; registers: 2 of 3, 3 of 3 and 0 of 1 attended; deliverables: 2 done, 1 in
  progress, 1 missed.
- Second numeracy hub: one agreement of £10,000, nothing spent, no programmes, no
  deliverables.
- Welsh hub: one agreement of £3,000, £300 spent, one programme with 3 confirmed places and
  no register taken yet.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from hubs import selectors
from hubs.models import DeliverableStatus, EnrolmentStatus
from partnership.models import Role
from surveys.models import SurveyPoint
from tests.factories import (
    AreaFactory,
    AttendanceFactory,
    BudgetLineFactory,
    DeliverableFactory,
    EnrolmentFactory,
    HubFactory,
    ServiceLevelAgreementFactory,
)
from tests.surveys.factories import ImpactResponseFactory

from .conftest import make_programme

pytestmark = pytest.mark.django_db


@dataclass
class Known:
    numeracy: object
    welsh_area: object
    hub: object
    idle_hub: object
    welsh_hub: object


def enrol(partnership, programme, n, status=EnrolmentStatus.CONFIRMED):
    return [
        EnrolmentFactory(partnership=partnership, programme=programme, status=status)
        for _ in range(n)
    ]


def register(partnership, session, enrolments, attended):
    for number, enrolment in enumerate(enrolments):
        AttendanceFactory(
            partnership=partnership,
            session=session,
            enrolment=enrolment,
            attended=number < attended,
        )


@pytest.fixture
def known(partnership, area, hub):
    first = hub.agreements.get()  # £20,000
    second = ServiceLevelAgreementFactory(partnership=partnership, hub=hub, funding=4000)
    for agreement, actual in ((first, "1500.00"), (first, "2500.25"), (second, "1000.00")):
        BudgetLineFactory(
            partnership=partnership, agreement=agreement, planned=3000, actual=Decimal(actual)
        )
    for agreement, status in (
        (first, DeliverableStatus.DONE),
        (first, DeliverableStatus.DONE),
        (first, DeliverableStatus.IN_PROGRESS),
        (second, DeliverableStatus.MISSED),
    ):
        DeliverableFactory(partnership=partnership, agreement=agreement, status=status)

    programme_a = make_programme(partnership, hub, places=3, sessions=2, title="A")
    places = enrol(partnership, programme_a, 3)
    enrol(partnership, programme_a, 1, EnrolmentStatus.WAITLISTED)
    enrol(partnership, programme_a, 1, EnrolmentStatus.CANCELLED)
    first_session, second_session = programme_a.sessions.order_by("date")
    register(partnership, first_session, places, attended=2)
    register(partnership, second_session, places, attended=3)
    programme_b = make_programme(partnership, hub, sessions=1, title="B")
    register(partnership, programme_b.sessions.get(), enrol(partnership, programme_b, 1), 0)

    idle_hub = HubFactory(partnership=partnership, name="Second numeracy hub", area=area)
    ServiceLevelAgreementFactory(partnership=partnership, hub=idle_hub, funding=10000)

    welsh_area = AreaFactory(partnership=partnership, slug="welsh", name="Welsh", position=9)
    welsh_hub = HubFactory(partnership=partnership, name="Welsh hub", area=welsh_area)
    welsh_agreement = ServiceLevelAgreementFactory(
        partnership=partnership, hub=welsh_hub, funding=3000
    )
    BudgetLineFactory(partnership=partnership, agreement=welsh_agreement, planned=300, actual=300)
    enrol(partnership, make_programme(partnership, welsh_hub), 3)
    return Known(area, welsh_area, hub, idle_hub, welsh_hub)


def figures_of(value, hub):
    return next(row.figures for row in value.hubs if row.hub.pk == hub.pk)


def figures_of_area(value, area):
    return next(group.figures for group in value.areas if group.area.pk == area.pk)


# --- The selector ------------------------------------------------------------------------------


def test_a_hubs_funding_and_spend_add_up_all_its_agreements(known):
    figures = figures_of(selectors.value_for_money(), known.hub)

    assert figures.funding == Decimal("24000.00")
    assert figures.spend == Decimal("5000.25")
    assert figures.spend_rate == Decimal("20.8")  # 5000.25 / 24000


def test_participants_are_confirmed_places_only(known):
    figures = figures_of(selectors.value_for_money(), known.hub)

    assert figures.participants == 4  # 3 on A, 1 on B; not the waiting list or cancelled
    assert figures.programmes == 2


def test_attendance_rate_counts_the_register_marks_recorded(known):
    figures = figures_of(selectors.value_for_money(), known.hub)

    assert (figures.attended, figures.marks) == (5, 7)
    assert figures.attendance_rate == Decimal("71.4")


def test_deliverables_completed_counts_done_of_all_agreements(known):
    figures = figures_of(selectors.value_for_money(), known.hub)

    assert (figures.deliverables_done, figures.deliverables) == (2, 4)
    assert figures.deliverables_rate == Decimal("50.0")


def test_cost_per_participant_is_spend_over_participants_to_the_penny(known):
    figures = figures_of(selectors.value_for_money(), known.hub)

    assert figures.cost_per_participant == Decimal("1250.06")  # 5000.25 / 4


def test_a_hub_without_participants_has_no_cost_per_participant_or_attendance(known):
    figures = figures_of(selectors.value_for_money(), known.idle_hub)

    assert (figures.funding, figures.spend, figures.participants) == (Decimal("10000"), 0, 0)
    assert figures.cost_per_participant is None
    assert figures.attendance_rate is None
    assert figures.deliverables_rate is None
    assert figures.spend_rate == Decimal("0.0")


def test_a_hub_with_places_but_no_register_has_a_cost_but_no_attendance_rate(known):
    figures = figures_of(selectors.value_for_money(), known.welsh_hub)

    assert figures.cost_per_participant == Decimal("100.00")
    assert figures.attendance_rate is None


def test_an_areas_figures_sum_its_hubs(known):
    figures = figures_of_area(selectors.value_for_money(), known.numeracy)

    assert figures.funding == Decimal("34000.00")
    assert figures.spend == Decimal("5000.25")
    assert figures.participants == 4
    assert figures.attendance_rate == Decimal("71.4")
    assert (figures.deliverables_done, figures.deliverables) == (2, 4)
    assert figures.cost_per_participant == Decimal("1250.06")
    assert figures.spend_rate == Decimal("14.7")  # 5000.25 / 34000


def test_the_total_sums_every_hub(known):
    total = selectors.value_for_money().total

    assert total.funding == Decimal("37000.00")
    assert total.spend == Decimal("5300.25")
    assert total.participants == 7
    assert total.attendance_rate == Decimal("71.4")
    assert total.cost_per_participant == Decimal("757.18")  # 5300.25 / 7
    assert total.spend_rate == Decimal("14.3")


def test_areas_come_in_their_order_with_their_hubs(known):
    value = selectors.value_for_money()

    assert [(g.area.name, [r.hub.name for r in g.hubs]) for g in value.areas] == [
        ("Numeracy", ["Cwm numeracy hub", "Second numeracy hub"]),
        ("Welsh", ["Welsh hub"]),
    ]


def test_one_area_lists_only_its_hubs(known):
    value = selectors.value_for_money(area=known.welsh_area)

    assert [row.hub.name for row in value.hubs] == ["Welsh hub"]
    assert value.total.funding == Decimal("3000.00")


def test_a_hubs_programmes_have_their_own_participants_and_attendance(known):
    detail = selectors.hub_value(known.hub.pk)

    assert [
        (p.programme.title, p.figures.participants, p.figures.attendance_rate)
        for p in detail.programmes
    ] == [("A", 3, Decimal("83.3")), ("B", 1, Decimal("0.0"))]


def answer(partnership, enrolment, point, score):
    ImpactResponseFactory(
        partnership=partnership,
        invitation__enrolment=enrolment,
        invitation__point=point,
        point=point,
        confidence=score,
        knowledge=score,
        practice=score,
        school_change=score,
    )


@pytest.fixture
def surveyed(partnership, known):
    """Programme A's participants answered 2 at the start, 4 at the end and 3 six months
    after: a change of +2.0 points, +1.0 of it lasting."""
    programme_a = known.hub.programmes.get(title="A")
    for enrolment in programme_a.enrolments.filter(status=EnrolmentStatus.CONFIRMED):
        for point, score in (
            (SurveyPoint.START, 2),
            (SurveyPoint.END, 4),
            (SurveyPoint.FOLLOW_UP, 3),
        ):
            answer(partnership, enrolment, point, score)
    return known


def test_impact_is_none_until_impact_surveys_have_answers(known):
    assert figures_of(selectors.value_for_money(), known.hub).impact is None


def test_impact_is_the_change_in_survey_score_per_hub_area_and_in_total(surveyed):
    value = selectors.value_for_money()
    hub = figures_of(value, surveyed.hub)
    numeracy = next(g.figures for g in value.areas if g.area == surveyed.numeracy)

    assert (hub.impact, hub.impact_retained) == (Decimal("2.0"), Decimal("1.0"))
    assert (numeracy.impact, value.total.impact) == (Decimal("2.0"), Decimal("2.0"))
    assert figures_of(value, surveyed.idle_hub).impact is None


def test_a_hubs_impact_is_shown_per_programme(surveyed):
    detail = selectors.hub_value(surveyed.hub.pk)

    assert [(p.programme.title, p.figures.impact) for p in detail.programmes] == [
        ("A", Decimal("2.0")),
        ("B", None),
    ]
    assert detail.figures.impact == Decimal("2.0")
    assert detail.impact.answered == 9


# --- The pages ----------------------------------------------------------------------------------


def cell(page: str, row: str, figure: str) -> str:
    """The text of one figure in the table row marked `row` (e.g. 'data-hub="3"')."""
    match = re.search(rf"<tr[^>]*{re.escape(row)}[^>]*>(.*?)</tr>", page, re.S)
    assert match, row
    value = re.search(rf'data-figure="{figure}"[^>]*>([^<]*)<', match.group(1))
    assert value, (row, figure)
    return value.group(1).strip()


FIGURES = ["funding", "spend", "spend-rate", "participants", "attendance", "deliverables"]


def row_figures(page, row):
    return [cell(page, row, f) for f in [*FIGURES, "cost-per-participant"]]


def test_page_shows_every_figure_of_each_hub(client_for, known, admin_user):
    page = client_for(admin_user).get("/p/cwm/hubs/value/").content.decode()

    assert row_figures(page, f'data-hub="{known.hub.pk}"') == [
        "£24,000.00",
        "£5,000.25",
        "20.8% of funding",
        "4",
        "71.4%",
        "2 of 4",
        "£1,250.06",
    ]


def test_page_shows_a_dash_where_there_is_nothing_to_divide_by(client_for, known, admin_user):
    page = client_for(admin_user).get("/p/cwm/hubs/value/").content.decode()

    assert row_figures(page, f'data-hub="{known.idle_hub.pk}"') == [
        "£10,000.00",
        "£0.00",
        "0.0% of funding",
        "0",
        "–",
        "–",
        "–",
    ]


def test_page_shows_each_areas_total_and_the_overall_total(client_for, known, admin_user):
    page = client_for(admin_user).get("/p/cwm/hubs/value/").content.decode()
    areas = page[page.index('data-table="areas"') :]

    assert row_figures(areas, f'data-area="{known.welsh_area.pk}"') == [
        "£3,000.00",
        "£300.00",
        "10.0% of funding",
        "3",
        "–",
        "–",
        "£100.00",
    ]
    assert row_figures(areas, "data-total") == [
        "£37,000.00",
        "£5,300.25",
        "14.3% of funding",
        "7",
        "71.4%",
        "2 of 4",
        "£757.18",
    ]


def test_area_page_shows_its_hubs_and_their_total(client_for, known, admin_user):
    page = (
        client_for(admin_user).get(f"/p/cwm/hubs/value/areas/{known.numeracy.pk}/").content.decode()
    )

    assert "Welsh hub" not in page
    assert cell(page, "data-total", "funding") == "£34,000.00"
    assert cell(page, "data-total", "spend-rate") == "14.7% of funding"
    assert cell(page, "data-total", "cost-per-participant") == "£1,250.06"


def test_hub_page_shows_its_figures_and_each_programmes(client_for, known, hub_lead):
    page = client_for(hub_lead).get(f"/p/cwm/hubs/{known.hub.pk}/value/").content.decode()

    figures = re.findall(r'<dd[^>]*data-figure="([a-z-]+)"[^>]*>([^<]*)<', page)
    assert {name: text.strip() for name, text in figures} == {
        "funding": "£24,000.00",
        "spend": "£5,000.25",
        "programmes": "2",
        "participants": "4",
        "attendance": "71.4%",
        "deliverables": "2 of 4",
        "cost-per-participant": "£1,250.06",
        "impact": "",
    }
    assert re.search(r'data-figure="impact">\s*<span[^>]*>Not yet measured<', page)
    programme_a = known.hub.programmes.get(title="A")
    assert cell(page, f'data-programme="{programme_a.pk}"', "attendance") == "83.3%"


def test_pages_show_the_impact_and_the_survey_results(client_for, surveyed, admin_user):
    client = client_for(admin_user)
    page = client.get("/p/cwm/hubs/value/").content.decode()
    assert cell(page, f'data-hub="{surveyed.hub.pk}"', "impact") == "+2.0 points"
    assert cell(page, f'data-hub="{surveyed.hub.pk}"', "impact-retained") == "+1.0 after six months"

    page = client.get(f"/p/cwm/hubs/{surveyed.hub.pk}/value/").content.decode()
    assert re.search(r'<dd[^>]*data-figure="impact"[^>]*>\s*\+2\.0 points', page)
    assert "data-impact-summary" in page
    assert "Answered: 9 of 9 surveys sent" in page


def test_charts_are_accessible_svg_with_the_figures_as_a_table(client_for, known, admin_user):
    page = client_for(admin_user).get("/p/cwm/hubs/value/").content.decode()

    chart = page[page.index('id="hubs-cost" data-chart') :]
    chart = chart[: chart.index("</table>")]
    assert re.search(r'<svg[^>]*role="img"[^>]*aria-labelledby="hubs-cost-title', chart)
    assert '<title id="hubs-cost-title">Cost per participant</title>' in chart
    # One bar per hub with participants; a dash (no bar) for the hub without.
    assert chart.count("<rect") == 2
    assert re.findall(r"<td[^>]*>([^<]*)</td>", chart) == ["£1,250.06", "–", "£100.00"]


def test_the_hubs_menu_links_to_value_for_money_for_those_who_may_see_it(
    client_for, admin_user, headteacher
):
    assert (
        'href="/p/cwm/hubs/value/"' in client_for(admin_user).get("/p/cwm/hubs/").content.decode()
    )
    assert (
        'href="/p/cwm/hubs/value/"'
        not in client_for(headteacher).get("/p/cwm/hubs/").content.decode()
    )


# --- Who may see them ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("role", "status"),
    [
        (Role.PARTNERSHIP_ADMIN, 200),
        (Role.SENIOR_CA, 200),
        (Role.CHALLENGE_ADVISER, 200),
        (Role.PANEL_MEMBER, 200),
        (Role.HEADTEACHER, 403),
        (Role.HUB_LEAD, 403),
        (Role.GOVERNOR, 403),
        (Role.PARTICIPANT, 403),
    ],
)
def test_every_hub_side_by_side_is_for_staff_and_panel_members(
    client_for, partnership, member_factory, school, area, hub, role, status
):
    user = member_factory(partnership, role, school=school)
    client = client_for(user)

    assert client.get("/p/cwm/hubs/value/").status_code == status
    assert client.get(f"/p/cwm/hubs/value/areas/{area.pk}/").status_code == status


@pytest.mark.parametrize(
    ("who", "status"),
    [("hub_lead", 200), ("governor", 200), ("other_headteacher", 403), ("other_lead", 403)],
)
def test_one_hubs_figures_are_for_those_who_see_its_agreement(
    client_for, request, partnership, member_factory, other_school, hub, who, status
):
    if who == "other_lead":
        user = member_factory(partnership, Role.HUB_LEAD, school=other_school)
    else:
        user = request.getfixturevalue(who)

    assert client_for(user).get(f"/p/cwm/hubs/{hub.pk}/value/").status_code == status


def test_a_missing_hub_or_area_is_404(client_for, admin_user):
    client = client_for(admin_user)

    assert client.get("/p/cwm/hubs/999999/value/").status_code == 404
    assert client.get("/p/cwm/hubs/value/areas/999999/").status_code == 404


# --- Query counts -------------------------------------------------------------------------------


def queries(client, url):
    client.get(url)
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url).status_code == 200
    return len(captured)


def add_hubs(partnership, area, n):
    for _ in range(n):
        hub = HubFactory(partnership=partnership, area=AreaFactory(partnership=partnership))
        agreement = ServiceLevelAgreementFactory(partnership=partnership, hub=hub)
        BudgetLineFactory(partnership=partnership, agreement=agreement)
        DeliverableFactory(partnership=partnership, agreement=agreement)
        programme = make_programme(partnership, hub)
        (enrolment,) = enrol(partnership, programme, 1)
        register(partnership, programme.sessions.get(), [enrolment], 1)


def test_value_page_queries_do_not_grow_with_hubs(client_for, partnership, area, admin_user):
    client = client_for(admin_user)
    add_hubs(partnership, area, 3)
    few = queries(client, "/p/cwm/hubs/value/")

    add_hubs(partnership, area, 27)
    many = queries(client, "/p/cwm/hubs/value/")

    assert few == many


def test_hub_value_page_queries_do_not_grow_with_programmes(client_for, partnership, hub, hub_lead):
    client = client_for(hub_lead)
    for _ in range(3):
        enrol(partnership, make_programme(partnership, hub), 2)
    few = queries(client, f"/p/cwm/hubs/{hub.pk}/value/")

    for _ in range(27):
        enrol(partnership, make_programme(partnership, hub), 2)
    many = queries(client, f"/p/cwm/hubs/{hub.pk}/value/")

    assert few == many


#: The hubs, then one aggregate per table: agreements, budget lines, enrolments, register
#: marks, deliverables, programmes; then impact-survey scores per hub, per area and in all.
VALUE_QUERIES = 10


@pytest.mark.parametrize("hubs", [3, 30])
def test_value_selector_takes_the_same_queries_however_many_hubs(
    partnership, area, django_assert_num_queries, hubs
):
    add_hubs(partnership, area, hubs)

    with django_assert_num_queries(VALUE_QUERIES):
        value = selectors.value_for_money()

    assert len(value.hubs) == hubs


def test_a_hub_without_an_agreement_shows_no_share_of_funding(
    client_for, partnership, area, admin_user
):
    bare = HubFactory(partnership=partnership, area=area, name="Bare hub")

    page = client_for(admin_user).get("/p/cwm/hubs/value/").content.decode()

    row = re.search(rf'<tr[^>]*data-hub="{bare.pk}"[^>]*>(.*?)</tr>', page, re.S).group(1)
    assert cell(page, f'data-hub="{bare.pk}"', "funding") == "£0.00"
    assert 'data-figure="spend-rate"' not in row
