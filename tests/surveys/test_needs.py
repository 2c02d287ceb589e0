"""The annual needs survey: rounds, drafts and submissions, live response rates, the
regional roll-up, CSV export and turning a result into a panel's identified need."""

from __future__ import annotations

import csv
import io
from datetime import timedelta

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.utils import timezone

from panels.models import IdentifiedNeed
from partnership.models import OutboundEmail, Role
from schools.models import LanguageMedium, Phase
from surveys import selectors, services
from surveys.models import NeedsSurveyResponse, NeedsSurveyRound
from tests.factories import AreaFactory, LocalAuthorityFactory, PanelFactory, SchoolFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def areas(partnership):
    return {
        slug: AreaFactory(partnership=partnership, slug=slug, name=name)
        for slug, name in [("lit", "Literacy"), ("num", "Numeracy"), ("welsh", "Welsh")]
    }


@pytest.fixture
def region(partnership, member_factory):
    """Two local authorities: Gwent with a primary and a Welsh-medium secondary, Powys
    with one primary. Each school has a headteacher."""
    gwent = LocalAuthorityFactory(partnership=partnership, name="Gwent")
    powys = LocalAuthorityFactory(partnership=partnership, name="Powys")
    schools = {
        "p1": SchoolFactory(partnership=partnership, name="Ysgol Un", local_authority=gwent),
        "s1": SchoolFactory(
            partnership=partnership,
            name="Ysgol Dau",
            local_authority=gwent,
            phase=Phase.SECONDARY,
            language_medium=LanguageMedium.WELSH,
        ),
        "p2": SchoolFactory(partnership=partnership, name="Ysgol Tri", local_authority=powys),
    }
    heads = {
        key: member_factory(partnership, Role.HEADTEACHER, school=school, email=f"{key}@x.example")
        for key, school in schools.items()
    }
    return {"schools": schools, "heads": heads}


@pytest.fixture
def open_round(partnership, admin_user, region, django_capture_on_commit_callbacks):
    round_ = services.create_round(
        actor=admin_user,
        partnership=partnership,
        name="Needs 2027",
        academic_year="2027/28",
        deadline=timezone.localdate() + timedelta(days=20),
    )
    with django_capture_on_commit_callbacks(execute=True):
        return services.open_round(actor=admin_user, round_=round_)


def submit(round_, region, key, priorities, **extra):
    return services.save_needs_response(
        actor=region["heads"][key],
        round_=round_,
        school=region["schools"][key],
        priorities=priorities,
        needs=extra.get("needs", "Help with reading"),
        delivery_mode=extra.get("delivery_mode", "blended"),
        language=extra.get("language", "bilingual"),
        submit=extra.get("submit", True),
    )


def test_opening_a_round_emails_every_headteacher_once(
    partnership, admin_user, open_round, django_capture_on_commit_callbacks
):
    assert open_round.status == NeedsSurveyRound.Status.OPEN
    assert sorted(m.to[0] for m in mail.outbox) == ["p1@x.example", "p2@x.example", "s1@x.example"]
    with pytest.raises(ValidationError):
        services.open_round(actor=admin_user, round_=open_round)
    assert (
        OutboundEmail.objects.filter(key__startswith=f"surveys:needs:{open_round.pk}:").count() == 3
    )


def test_a_draft_is_kept_and_can_be_submitted_later(open_round, region, areas):
    draft = submit(open_round, region, "p1", [areas["lit"], None, None], submit=False, language="")
    assert draft.status == NeedsSurveyResponse.Status.DRAFT
    rates, total = selectors.round_response_rates(open_round)
    assert (total.submitted, total.drafts) == (0, 1)
    done = submit(open_round, region, "p1", [areas["lit"], areas["num"], None])
    assert done.pk == draft.pk
    assert done.status == NeedsSurveyResponse.Status.SUBMITTED
    assert [p.area for p in done.priorities.all()] == [areas["lit"], areas["num"]]


def test_submitting_needs_every_required_answer(open_round, region, areas):
    with pytest.raises(ValidationError) as error:
        submit(open_round, region, "p1", [None, None, None], delivery_mode="", language="")
    assert set(error.value.message_dict) == {"priorities", "delivery_mode", "language"}
    assert not NeedsSurveyResponse.objects.exists()


def test_an_area_cannot_be_ranked_twice(open_round, region, areas):
    with pytest.raises(ValidationError):
        submit(open_round, region, "p1", [areas["lit"], areas["lit"], None])


def test_submitted_answers_cannot_change(open_round, region, areas):
    submit(open_round, region, "p1", [areas["lit"], None, None])
    with pytest.raises(ValidationError):
        submit(open_round, region, "p1", [areas["num"], None, None])
    assert NeedsSurveyResponse.objects.get().priorities.get().area == areas["lit"]


def test_a_closed_round_takes_no_answers(admin_user, open_round, region, areas):
    services.close_round(actor=admin_user, round_=open_round)
    with pytest.raises(ValidationError):
        submit(open_round, region, "p1", [areas["lit"], None, None])


def test_response_rate_by_local_authority(open_round, region, areas):
    submit(open_round, region, "p1", [areas["lit"], None, None])
    submit(open_round, region, "s1", [areas["num"], None, None], submit=False)
    rates, total = selectors.round_response_rates(open_round)
    by_la = {r.label: (r.schools, r.submitted, r.drafts, r.rate) for r in rates}
    from decimal import Decimal

    assert by_la == {"Gwent": (2, 1, 1, Decimal("50.0")), "Powys": (1, 0, 0, Decimal("0.0"))}
    assert (total.schools, total.submitted) == (3, 1)


@pytest.fixture
def results(open_round, region, areas):
    """p1: Literacy, Numeracy, Welsh; s1 (Welsh-medium secondary): Welsh, Literacy;
    p2 (Powys): Literacy. A draft (not counted) ranks Numeracy first."""
    submit(open_round, region, "p1", [areas["lit"], areas["num"], areas["welsh"]])
    submit(open_round, region, "s1", [areas["welsh"], areas["lit"], None], language="welsh")
    submit(open_round, region, "p2", [areas["lit"], None, None], delivery_mode="online")
    return open_round


def test_regional_need_weights_rankings(results):
    needs = selectors.regional_need(results)
    assert [(n.area, n.points, n.schools, n.first_choices) for n in needs] == [
        ("Literacy", 3 + 2 + 3, 3, 2),
        ("Welsh", 1 + 3, 2, 1),
        ("Numeracy", 2, 1, 0),
    ]


def test_regional_need_by_phase_language_medium_and_local_authority(results):
    by_phase = {n.area: n.by for n in selectors.regional_need(results, by="phase")}
    assert by_phase["Literacy"] == {"Primary": 6, "Secondary": 2}
    by_medium = {n.area: n.by for n in selectors.regional_need(results, by="language_medium")}
    assert by_medium["Welsh"] == {"English-medium": 1, "Welsh-medium": 3}
    by_la = {n.area: n.by for n in selectors.regional_need(results, by="local_authority")}
    assert by_la["Literacy"] == {"Gwent": 5, "Powys": 3}


def test_preferences_are_counted(results):
    preferences = selectors.round_preferences(results)
    assert preferences.delivery_modes["Online"] == 1
    assert preferences.delivery_modes["A mix of both"] == 2
    assert preferences.languages["Welsh"] == 1


def test_results_page_has_charts_and_the_csv_has_every_submission(admin_client_, results):
    page = admin_client_.get(f"/p/cwm/surveys/rounds/{results.pk}/results/")
    assert page.status_code == 200
    assert page.content.count(b"<svg") == 4
    assert b"Regional need by area and local authority" in page.content
    response = admin_client_.get(f"/p/cwm/surveys/rounds/{results.pk}/results.csv")
    assert response["Content-Type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(response.content.decode())))
    assert len(rows) == 4
    assert rows[1][0] == "Ysgol Dau"
    assert rows[1][5:8] == ["Welsh", "Literacy", ""]


def test_csv_cells_cannot_run_as_formulas(admin_client_, open_round, region, areas):
    submit(open_round, region, "p1", [areas["lit"], None, None], needs="=HYPERLINK(1)")
    response = admin_client_.get(f"/p/cwm/surveys/rounds/{open_round.pk}/results.csv")
    assert "'=HYPERLINK(1)" in response.content.decode()


def test_a_result_becomes_the_panels_identified_need(partnership, admin_client_, results, areas):
    panel = PanelFactory(partnership=partnership, area=areas["lit"], name="Literacy panel")
    page = admin_client_.get(f"/p/cwm/surveys/rounds/{results.pk}/results/")
    assert b"Make it an identified need" in page.content
    response = admin_client_.post(
        f"/p/cwm/surveys/rounds/{results.pk}/areas/{areas['lit'].pk}/identify/"
    )
    need = IdentifiedNeed.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"/p/cwm/panels/needs/{need.pk}/"
    assert need.panel == panel
    assert need.priority == "high"
    assert "3 schools" in need.description
    again = admin_client_.post(
        f"/p/cwm/surveys/rounds/{results.pk}/areas/{areas['lit'].pk}/identify/", follow=True
    )
    assert b"already one of the panel" in again.content
    assert IdentifiedNeed.objects.count() == 1


def test_no_panel_for_the_area_is_a_clear_error(admin_client_, results, areas):
    response = admin_client_.post(
        f"/p/cwm/surveys/rounds/{results.pk}/areas/{areas['num'].pk}/identify/", follow=True
    )
    assert b"No panel covers this area yet" in response.content
    assert not IdentifiedNeed.objects.exists()


def test_headteacher_saves_a_draft_and_submits_through_the_page(
    client_for, open_round, region, areas
):
    client = client_for(region["heads"]["p1"])
    school = region["schools"]["p1"]
    url = f"/p/cwm/surveys/rounds/{open_round.pk}/schools/{school.pk}/"
    assert client.get(url).status_code == 200
    client.post(url, {"first": areas["num"].pk, "needs": "Maths", "draft": "1"})
    assert NeedsSurveyResponse.objects.get().status == "draft"
    assert b"Draft saved" in client.get(url).content
    bad = client.post(url, {"first": areas["num"].pk, "submit": "1"})
    assert b"Choose how you would like support delivered" in bad.content
    client.post(
        url,
        {
            "first": areas["num"].pk,
            "second": areas["lit"].pk,
            "needs": "Maths",
            "delivery_mode": "online",
            "language": "english",
            "submit": "1",
        },
    )
    assert NeedsSurveyResponse.objects.get().status == "submitted"
    assert b"were submitted" in client.get(url).content


def test_a_headteacher_cannot_answer_for_another_school(client_for, open_round, region):
    client = client_for(region["heads"]["p1"])
    other = region["schools"]["p2"]
    url = f"/p/cwm/surveys/rounds/{open_round.pk}/schools/{other.pk}/"
    assert client.get(url).status_code == 403


def test_the_round_page_shows_the_live_response_rate(admin_client_, open_round, region, areas):
    url = f"/p/cwm/surveys/rounds/{open_round.pk}/"
    assert b"0 of 3 schools have submitted" in admin_client_.get(url).content
    submit(open_round, region, "p2", [areas["lit"], None, None])
    partial = admin_client_.get(url, headers={"HX-Request": "true"})
    assert b"1 of 3 schools have submitted" in partial.content
    assert b"<html" not in partial.content


def test_reminders_go_to_schools_that_have_not_submitted(
    partnership, open_round, region, areas, django_capture_on_commit_callbacks
):
    submit(open_round, region, "p1", [areas["lit"], None, None])
    mail.outbox.clear()
    deadline = open_round.deadline
    with django_capture_on_commit_callbacks(execute=True):
        assert (
            services.remind_needs_round(partnership=partnership, today=deadline - timedelta(days=8))
            == 0
        )
        assert (
            services.remind_needs_round(partnership=partnership, today=deadline - timedelta(days=7))
            == 2
        )
        assert (
            services.remind_needs_round(partnership=partnership, today=deadline - timedelta(days=6))
            == 2
        )
    assert sorted(m.to[0] for m in mail.outbox) == ["p2@x.example", "s1@x.example"]


def test_needs_reminder_days_are_set_per_partnership(
    partnership, admin_user, open_round, django_capture_on_commit_callbacks
):
    services.update_settings(actor=admin_user, partnership=partnership, needs_reminder_days=[3])
    deadline = open_round.deadline
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        seven = services.remind_needs_round(partnership=partnership, today=deadline - timedelta(7))
        assert (seven, len(mail.outbox)) == (0, 0)
        three = services.remind_needs_round(partnership=partnership, today=deadline - timedelta(3))
    assert three == 3
    assert {m.to[0] for m in mail.outbox} == {"p1@x.example", "p2@x.example", "s1@x.example"}

    services.update_settings(actor=admin_user, partnership=partnership, needs_reminder_days=[])
    with django_capture_on_commit_callbacks(execute=True):
        assert services.remind_needs_round(partnership=partnership, today=deadline) == 0


def test_needs_reminder_days_out_of_range_are_refused(partnership, admin_user):
    with pytest.raises(ValidationError) as refused:
        services.update_settings(
            actor=admin_user, partnership=partnership, needs_reminder_days=[0, 400]
        )
    assert "needs_reminder_days" in refused.value.message_dict
