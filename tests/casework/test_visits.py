"""Visit notes: drafts that autosave, sharing with the school, the headteacher's comments,
agreed actions on the school page and dashboard until done, overdue flags, reminders."""

from __future__ import annotations

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import timezone

from audit.models import AuditEvent
from casework import services
from casework.models import CaseworkVisit, VisitAction, VisitComment
from casework.tasks import send_action_reminders
from partnership.models import OutboundEmail
from partnership.tenancy import tenant_scope

from .factories import CaseworkVisitFactory, VisitActionFactory

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate


def url(name: str, **kwargs) -> str:
    return reverse(name, kwargs={"partnership_slug": "cwm", **kwargs})


@pytest.fixture
def draft(partnership, school, ca):
    return CaseworkVisitFactory(
        partnership=partnership,
        school=school,
        adviser=ca,
        status=CaseworkVisit.Status.DRAFT,
        findings="",
    )


@pytest.fixture
def shared(partnership, school, ca):
    return CaseworkVisitFactory(partnership=partnership, school=school, adviser=ca)


# --- Recording a visit -----------------------------------------------------------------------


def test_the_ca_starts_a_draft_visit_note(partnership, school, ca, client_for):
    response = client_for(ca).post(
        url("casework:visit_start"),
        {"school": school.pk, "visited_on": TODAY().isoformat(), "focus": "Maths plan"},
    )
    visit = CaseworkVisit.objects.get()
    assert response.status_code == 302
    assert response["Location"] == url("casework:visit_edit", pk=visit.pk)
    assert (visit.adviser, visit.status, visit.focus) == (ca, "draft", "Maths plan")


def test_a_visit_dated_more_than_a_year_ahead_is_refused_and_recorded(partnership, school, ca):
    far = TODAY() + datetime.timedelta(days=400)
    with tenant_scope(partnership), pytest.raises(ValidationError) as error:
        services.start_visit(actor=ca, school=school, visited_on=far, focus="Far ahead")
    assert "visited_on" in error.value.message_dict
    assert not CaseworkVisit.objects.exists()
    assert AuditEvent.objects.filter(action="casework.visit_refused", actor=ca).count() == 1


def test_the_form_shows_the_future_date_error(partnership, school, ca, client_for):
    far = TODAY() + datetime.timedelta(days=400)
    response = client_for(ca).post(
        url("casework:visit_start"),
        {"school": school.pk, "visited_on": far.isoformat(), "focus": "Far"},
    )
    assert response.status_code == 400
    assert "more than a year ahead" in response.content.decode()
    assert not CaseworkVisit.objects.exists()


def test_another_ca_cannot_record_a_visit_to_the_school(partnership, school, other_ca):
    with tenant_scope(partnership), pytest.raises(PermissionDenied):
        services.start_visit(actor=other_ca, school=school, visited_on=TODAY(), focus="x")
    assert AuditEvent.objects.filter(action="casework.visit_refused").count() == 1


def test_a_partner_ca_headteacher_records_visits_to_their_caseload(partnership, panel_head, school):
    school.challenge_adviser = panel_head
    school.save()
    with tenant_scope(partnership):
        visit = services.start_visit(
            actor=panel_head, school=school, visited_on=TODAY(), focus="Peer support"
        )
    assert visit.adviser == panel_head


# --- Autosave -----------------------------------------------------------------------------


def test_the_draft_autosaves(partnership, draft, ca, client_for):
    response = client_for(ca).post(
        url("casework:visit_autosave", pk=draft.pk),
        {
            "visited_on": draft.visited_on.isoformat(),
            "focus": draft.focus,
            "met_with": "Head and chair of governors",
            "findings": "Half-written findings",
            "next_visit_on": "",
        },
        HTTP_HX_REQUEST="true",
    )
    assert response.status_code == 200
    assert "Draft saved at" in response.content.decode()
    draft.refresh_from_db()
    assert draft.findings == "Half-written findings"
    assert draft.status == CaseworkVisit.Status.DRAFT


def test_an_autosave_with_a_bad_date_saves_nothing(partnership, draft, ca, client_for):
    far = TODAY() + datetime.timedelta(days=500)
    response = client_for(ca).post(
        url("casework:visit_autosave", pk=draft.pk),
        {"visited_on": far.isoformat(), "focus": "x", "findings": "changed"},
    )
    assert response.status_code == 400
    draft.refresh_from_db()
    assert draft.findings == ""


def test_the_headteacher_does_not_see_a_draft(partnership, draft, head, client_for):
    client = client_for(head)
    assert client.get(url("casework:visit_detail", pk=draft.pk)).status_code == 403
    assert client.get(url("casework:visit_edit", pk=draft.pk)).status_code == 403


# --- Sharing and comments ---------------------------------------------------------------------


def test_sharing_emails_the_headteacher_once(partnership, draft, ca, head, client_for):
    client = client_for(ca)
    response = client.post(
        url("casework:visit_edit", pk=draft.pk),
        {
            "visited_on": draft.visited_on.isoformat(),
            "focus": draft.focus,
            "findings": "Strong start to the year.",
            "share": "1",
        },
    )
    assert response.status_code == 302
    draft.refresh_from_db()
    assert draft.is_shared
    [email] = OutboundEmail.objects.filter(to=head.email)
    assert "shared the note" in email.body
    # Shared notes no longer change.
    assert client.get(url("casework:visit_edit", pk=draft.pk)).status_code == 403


def test_a_note_without_findings_is_not_shared(partnership, draft, ca):
    with tenant_scope(partnership), pytest.raises(ValidationError):
        services.share_visit(actor=ca, visit=draft)
    assert not CaseworkVisit.objects.get(pk=draft.pk).is_shared


def test_the_headteacher_reads_and_comments_on_a_shared_note(
    partnership, shared, ca, head, client_for
):
    client = client_for(head)
    page = client.get(url("casework:visit_detail", pk=shared.pk))
    assert page.status_code == 200
    assert shared.findings in page.content.decode()
    response = client.post(
        url("casework:comment_add", pk=shared.pk), {"text": "We agree with the findings."}
    )
    assert response.status_code == 302
    assert VisitComment.objects.get().author == head
    assert OutboundEmail.objects.filter(to=ca.email).count() == 1


def test_an_empty_comment_is_refused(partnership, shared, head, client_for):
    response = client_for(head).post(url("casework:comment_add", pk=shared.pk), {"text": " "})
    assert response.status_code == 400
    assert not VisitComment.objects.exists()


def test_a_governor_does_not_see_visit_notes(partnership, shared, governor, client_for):
    assert client_for(governor).get(url("casework:visit_detail", pk=shared.pk)).status_code == 403


# --- Actions ------------------------------------------------------------------------------


def test_actions_show_on_the_school_page_until_done(partnership, shared, school, head, client_for):
    action = VisitActionFactory(
        partnership=partnership, visit=shared, description="Review the phonics scheme"
    )
    client = client_for(head)
    page = client.get(url("schools:detail", pk=school.pk)).content.decode()
    assert "Review the phonics scheme" in page

    response = client.post(
        url("casework:action_update", pk=action.pk), {f"action-{action.pk}-status": "done"}
    )
    assert response.status_code == 302
    action.refresh_from_db()
    assert action.status == VisitAction.Status.DONE and action.done_at is not None
    page = client.get(url("schools:detail", pk=school.pk)).content.decode()
    assert "Review the phonics scheme" not in page


def test_overdue_actions_are_flagged_on_the_dashboard(partnership, shared, ca, client_for):
    VisitActionFactory(
        partnership=partnership,
        visit=shared,
        description="Write the literacy plan",
        due_on=TODAY() - datetime.timedelta(days=3),
    )
    page = client_for(ca).get(url("casework:dashboard")).content.decode()
    assert "Write the literacy plan" in page
    assert "Overdue" in page
    assert "1 overdue" in page


def test_an_action_needs_an_owner_and_a_due_date(partnership, shared, ca):
    with tenant_scope(partnership), pytest.raises(ValidationError) as error:
        services.add_action(actor=ca, visit=shared, description="Do it", owner="", due_on=None)
    assert {"owner", "due_on"} <= set(error.value.message_dict)
    assert not VisitAction.objects.exists()


def test_the_headteacher_may_not_add_actions(partnership, shared, head):
    with tenant_scope(partnership), pytest.raises(PermissionDenied):
        services.add_action(actor=head, visit=shared, description="x", owner="y", due_on=TODAY())


# --- Reminders ----------------------------------------------------------------------------


def test_reminders_go_once_for_due_and_once_for_overdue(partnership, shared, ca, head):
    VisitActionFactory(
        partnership=partnership, visit=shared, due_on=TODAY() + datetime.timedelta(days=2)
    )
    VisitActionFactory(
        partnership=partnership, visit=shared, due_on=TODAY() - datetime.timedelta(days=1)
    )
    VisitActionFactory(
        partnership=partnership, visit=shared, due_on=TODAY() + datetime.timedelta(days=60)
    )
    VisitActionFactory(
        partnership=partnership,
        visit=shared,
        due_on=TODAY() - datetime.timedelta(days=1),
        status=VisitAction.Status.DONE,
    )
    first = send_action_reminders()
    second = send_action_reminders()

    assert first == 4  # two actions, each to the adviser and the headteacher
    assert second == 4  # the same keys again: the outbox sends nothing new
    emails = OutboundEmail.objects.all()
    assert emails.count() == 4
    assert sorted({e.to for e in emails}) == sorted([ca.email, head.email])
    assert sum("is overdue" in e.subject for e in emails) == 2


def test_draft_notes_send_no_reminders(partnership, draft):
    VisitActionFactory(partnership=partnership, visit=draft, due_on=TODAY())
    send_action_reminders()
    assert not OutboundEmail.objects.exists()
