"""Evidence per framework area (plain form and htmx autosave), findings written by the team,
submitted by the lead only, frozen after submission; the school's response."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core import mail
from django.utils import timezone

from peerreview import services
from peerreview.models import AreaFinding, EvidenceNote, Findings, SchoolResponse
from tests.factories import AreaFindingFactory, FindingsFactory

from .helpers import url

pytestmark = pytest.mark.django_db


def _evidence(world, texts: dict[int, str]) -> dict[str, str]:
    """Form data: {index of the area: text}."""
    return {f"area_{world.areas[i].pk}": text for i, text in texts.items()}


def _findings_form(world, summary="", **areas):
    data = {"summary": summary}
    for area in world.areas:
        went_well, even_better_if, judgement = areas.get(area.name, ("", "", ""))
        data[f"went_well_{area.pk}"] = went_well
        data[f"even_better_if_{area.pk}"] = even_better_if
        data[f"judgement_{area.pk}"] = judgement
    return data


def _submit(world, by=None):
    AreaFindingFactory(
        partnership=world.p,
        findings=FindingsFactory(partnership=world.p, review=world.review),
        area=world.areas[0],
    )
    return services.submit_findings(actor=by or world.lead, review=world.review)


# --- Evidence ----------------------------------------------------------------------------


def test_a_reviewer_saves_evidence_with_the_plain_form(world, client_for):
    response = client_for(world.member).post(
        url(world.p, f"reviews/{world.review.pk}/evidence/"),
        _evidence(world, {0: "Leaders know the school well."}),
    )

    note = EvidenceNote.objects.get()
    assert response.status_code == 302
    assert (note.author, note.area, note.text) == (
        world.member,
        world.areas[0],
        "Leaders know the school well.",
    )


def test_autosave_keeps_the_draft_and_answers_htmx_with_a_status(world, client_for):
    client = client_for(world.lead)
    autosave = url(world.p, f"reviews/{world.review.pk}/evidence/autosave/")

    first = client.post(autosave, _evidence(world, {1: "Year 6 writing"}), HTTP_HX_REQUEST="true")
    second = client.post(
        autosave, _evidence(world, {1: "Year 6 writing is strong"}), HTTP_HX_REQUEST="true"
    )

    assert first.status_code == second.status_code == 200
    assert "Draft saved at" in second.content.decode()
    assert list(EvidenceNote.objects.values_list("text", flat=True)) == ["Year 6 writing is strong"]
    page = client.get(url(world.p, f"reviews/{world.review.pk}/evidence/")).content.decode()
    assert "Year 6 writing is strong" in page


def test_the_evidence_form_autosaves_with_htmx_and_still_posts_without_it(world, client_for):
    page = client_for(world.lead).get(url(world.p, f"reviews/{world.review.pk}/evidence/"))

    html = page.content.decode()
    assert f'hx-post="/p/cwm/peer-review/reviews/{world.review.pk}/evidence/autosave/"' in html
    assert 'hx-trigger="input delay:3s"' in html
    assert f'action="/p/cwm/peer-review/reviews/{world.review.pk}/evidence/"' in html


def test_team_members_see_each_others_evidence_and_nobody_else_records_any(world, client_for):
    services.save_evidence(
        actor=world.lead, review=world.review, texts={world.areas[0].pk: "Lead's note"}
    )

    page = client_for(world.member).get(url(world.p, f"reviews/{world.review.pk}/evidence/"))

    assert "Lead&#x27;s note" in page.content.decode()
    for person in (world.head, world.admin, world.outside_reviewer):
        client = client_for(person)
        assert client.get(url(world.p, f"reviews/{world.review.pk}/evidence/")).status_code == 403
        response = client.post(
            url(world.p, f"reviews/{world.review.pk}/evidence/autosave/"),
            _evidence(world, {0: "x"}),
        )
        assert response.status_code == 403
    assert EvidenceNote.objects.count() == 1


def test_evidence_cannot_change_after_submission(world, client_for):
    _submit(world)
    services_before = list(EvidenceNote.objects.values_list("text", flat=True))

    response = client_for(world.member).post(
        url(world.p, f"reviews/{world.review.pk}/evidence/autosave/"),
        _evidence(world, {0: "Late addition"}),
        HTTP_HX_REQUEST="true",
    )

    assert "can no longer be changed" in response.content.decode()
    assert list(EvidenceNote.objects.values_list("text", flat=True)) == services_before


# --- Findings ----------------------------------------------------------------------------


def test_the_team_writes_draft_findings_area_by_area(world, client_for):
    response = client_for(world.member).post(
        url(world.p, f"reviews/{world.review.pk}/findings/edit/"),
        _findings_form(
            world,
            summary="A reflective school.",
            Leadership=("Clear vision", "Middle leaders evaluated teaching", "secure"),
        ),
    )

    findings = Findings.objects.get(review=world.review)
    row = AreaFinding.objects.get()
    assert response.status_code == 302
    assert (findings.status, findings.summary) == ("draft", "A reflective school.")
    assert (row.area, row.went_well, row.even_better_if, row.judgement) == (
        world.areas[0],
        "Clear vision",
        "Middle leaders evaluated teaching",
        "secure",
    )


def test_every_change_to_the_findings_is_in_their_history(world):
    services.save_findings(
        actor=world.member,
        review=world.review,
        summary="First",
        areas={world.areas[0].pk: {"went_well": "A", "even_better_if": "", "judgement": ""}},
    )
    services.save_findings(
        actor=world.lead,
        review=world.review,
        summary="Second",
        areas={world.areas[0].pk: {"went_well": "B", "even_better_if": "", "judgement": ""}},
    )

    findings = Findings.objects.get()
    assert [h.summary for h in findings.history.order_by("history_date")] == ["First", "Second"]
    assert [h.history_user for h in findings.history.order_by("history_date")] == [
        world.member,
        world.lead,
    ]
    assert [h.went_well for h in AreaFinding.history.order_by("history_date")] == ["A", "B"]


def test_an_unknown_judgement_is_refused(world):
    with pytest.raises(services.ValidationError, match="judgement"):
        services.save_findings(
            actor=world.lead,
            review=world.review,
            summary="",
            areas={world.areas[0].pk: {"went_well": "A", "judgement": "outstanding"}},
        )
    assert not AreaFinding.objects.exists()


def test_only_the_lead_submits(world, client_for):
    AreaFindingFactory(
        partnership=world.p,
        findings=FindingsFactory(partnership=world.p, review=world.review),
        area=world.areas[0],
    )

    response = client_for(world.member).post(
        url(world.p, f"reviews/{world.review.pk}/findings/submit/")
    )

    assert response.status_code == 400
    assert (
        "Only the lead reviewer (Llinos Lead) can submit the findings." in response.content.decode()
    )
    assert Findings.objects.get().status == "draft"


def test_people_outside_the_team_cannot_even_try_to_submit(world, client_for):
    FindingsFactory(partnership=world.p, review=world.review)

    for person in (world.head, world.admin):
        response = client_for(person).post(
            url(world.p, f"reviews/{world.review.pk}/findings/submit/")
        )
        assert response.status_code == 403
    assert Findings.objects.get().status == "draft"


def test_empty_findings_cannot_be_submitted(world, client_for):
    FindingsFactory(partnership=world.p, review=world.review)

    response = client_for(world.lead).post(
        url(world.p, f"reviews/{world.review.pk}/findings/submit/")
    )

    assert response.status_code == 400
    assert "at least one area" in response.content.decode()
    assert Findings.objects.get().status == "draft"


def test_the_lead_submits_and_the_head_is_told(
    world, client_for, django_capture_on_commit_callbacks
):
    AreaFindingFactory(
        partnership=world.p,
        findings=FindingsFactory(partnership=world.p, review=world.review),
        area=world.areas[0],
    )

    with django_capture_on_commit_callbacks(execute=True):
        response = client_for(world.lead).post(
            url(world.p, f"reviews/{world.review.pk}/findings/submit/")
        )

    findings = Findings.objects.get()
    assert response.status_code == 302
    assert (findings.status, findings.submitted_by) == ("submitted", world.lead)
    assert [m.to for m in mail.outbox] == [[world.head.email]]
    assert f"/peer-review/reviews/{world.review.pk}/findings/" in mail.outbox[0].body


def test_findings_cannot_be_edited_after_submission(world, client_for):
    _submit(world)
    before = list(AreaFinding.objects.values_list("went_well", flat=True))
    client = client_for(world.lead)

    page = client.get(url(world.p, f"reviews/{world.review.pk}/findings/edit/"), follow=True)
    post = client.post(
        url(world.p, f"reviews/{world.review.pk}/findings/edit/"),
        _findings_form(world, Leadership=("Rewritten", "", "")),
    )
    again = client.post(url(world.p, f"reviews/{world.review.pk}/findings/submit/"))

    assert "can no longer be changed" in page.content.decode()
    assert post.status_code == 400
    assert "were submitted on" in post.content.decode()
    assert again.status_code == 400
    assert list(AreaFinding.objects.values_list("went_well", flat=True)) == before
    assert Findings.objects.get().history.count() == 2  # created, submitted: nothing since


# --- The school's response ---------------------------------------------------------------


def test_the_head_responds_with_an_action_plan_and_a_follow_up_date(world, client_for):
    _submit(world)
    follow_up = timezone.localdate() + timedelta(days=90)

    response = client_for(world.head).post(
        url(world.p, f"reviews/{world.review.pk}/response/"),
        {
            "response": "We welcome the findings.",
            "action_plan": "Middle leaders join learning walks.",
            "follow_up_on": follow_up.isoformat(),
        },
    )

    row = SchoolResponse.objects.get()
    assert response.status_code == 302
    assert (row.follow_up_on, row.written_by) == (follow_up, world.head)


def test_the_head_cannot_respond_before_submission(world, client_for):
    FindingsFactory(partnership=world.p, review=world.review)

    response = client_for(world.head).post(
        url(world.p, f"reviews/{world.review.pk}/response/"),
        {
            "response": "Thanks",
            "action_plan": "Plan",
            "follow_up_on": (timezone.localdate() + timedelta(days=30)).isoformat(),
        },
    )

    assert response.status_code == 400
    assert "once the lead reviewer has submitted" in response.content.decode()
    assert not SchoolResponse.objects.exists()


def test_a_follow_up_date_before_submission_is_refused(world, client_for):
    _submit(world)

    response = client_for(world.head).post(
        url(world.p, f"reviews/{world.review.pk}/response/"),
        {
            "response": "Thanks",
            "action_plan": "Plan",
            "follow_up_on": (timezone.localdate() - timedelta(days=30)).isoformat(),
        },
    )

    assert response.status_code == 400
    assert "follow-up date must be after" in response.content.decode()
    assert not SchoolResponse.objects.exists()


def test_only_the_head_responds(world, client_for):
    _submit(world)

    for person in (world.lead, world.governor, world.admin, world.ca):
        response = client_for(person).post(
            url(world.p, f"reviews/{world.review.pk}/response/"),
            {"response": "x", "action_plan": "y", "follow_up_on": "2030-01-01"},
        )
        assert response.status_code == 403
    assert not SchoolResponse.objects.exists()
