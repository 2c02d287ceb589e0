"""Builders that fill a partnership with `n` rows of panel data, for the query-count tests
(tests/test_query_counts.py and tests/panels/test_queries.py)."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.utils import timezone

from hubs.models import CallStatus
from panels.models import ActionStatus, AttendanceStatus, ItemKind, SeatType
from partnership.models import Role
from tests.factories import (
    ActionFactory,
    AgendaItemFactory,
    CallFactory,
    EvidenceLinkFactory,
    IdentifiedNeedFactory,
    MeetingAttendanceFactory,
    MeetingFactory,
    MembershipFactory,
    PanelFactory,
    PanelMemberFactory,
    SeatFactory,
    UserFactory,
)

SEAT_TYPES = list(SeatType.values)


def _person(partnership: Any) -> Any:
    user = UserFactory()
    MembershipFactory(partnership=partnership, user=user, role=Role.PANEL_MEMBER)
    return user


def _seat_viewer(tenant: Any, panel: Any, seat_type: str = SeatType.TEACHER, chair=False) -> None:
    """Give the viewer a current seat on the panel (for member, chair, pupil views)."""
    roles = {m.role for m in tenant.viewer.memberships.all()}
    if Role.PARTNERSHIP_ADMIN in roles:
        return
    seat = SeatFactory(partnership=tenant.partnership, panel=panel, seat_type=seat_type)
    PanelMemberFactory(
        partnership=tenant.partnership, seat=seat, user=tenant.viewer, is_chair=chair
    )


def fill_panel(tenant: Any, panel: Any) -> None:
    """n seats with a past and a current term each, n needs with evidence and calls, n
    meetings with actions and published decisions."""
    p, n = tenant.partnership, tenant.n
    today = timezone.localdate()
    for i in range(n):
        seat = SeatFactory(partnership=p, panel=panel, seat_type=SEAT_TYPES[i % len(SEAT_TYPES)])
        person = _person(p)
        PanelMemberFactory(
            partnership=p,
            seat=seat,
            user=person,
            starts_on=today - timedelta(days=800),
            ends_on=today - timedelta(days=400),
        )
        PanelMemberFactory(
            partnership=p,
            seat=seat,
            user=person,
            starts_on=today - timedelta(days=399),
            ends_on=today + timedelta(days=20 + i),
        )
        need = IdentifiedNeedFactory(partnership=p, panel=panel, identified_by=_person(p))
        EvidenceLinkFactory(partnership=p, need=need)
        need.call = CallFactory(partnership=p, area=panel.area, status=CallStatus.OPEN)
        need.save()
        meeting = MeetingFactory(
            partnership=p,
            panel=panel,
            starts_at=timezone.now() - timedelta(days=10 + i),
            minutes_approved_at=timezone.now(),
        )
        AgendaItemFactory(
            partnership=p,
            meeting=meeting,
            decision="Commission provision.",
            decision_published=True,
            minutes="Agreed.",
        )
        ActionFactory(partnership=p, meeting=meeting, owner=_person(p))
    for _ in range(n):
        PanelFactory(partnership=p)  # other panels, for the "too many panels" count


def build_panels(tenant: Any) -> None:
    for _ in range(tenant.n):
        panel = PanelFactory(partnership=tenant.partnership)
        seat = SeatFactory(partnership=tenant.partnership, panel=panel)
        PanelMemberFactory(
            partnership=tenant.partnership, seat=seat, user=_person(tenant.partnership)
        )


def build_panel_detail(tenant: Any) -> None:
    panel = PanelFactory(partnership=tenant.partnership, name="The busy panel")
    fill_panel(tenant, panel)
    _seat_viewer(tenant, panel)
    tenant.url_kwargs["pk"] = panel.pk


def _build_meeting(tenant: Any, viewer_seat: str) -> None:
    p, n = tenant.partnership, tenant.n
    panel = PanelFactory(partnership=p)
    _seat_viewer(tenant, panel, viewer_seat, chair=viewer_seat == SeatType.HEADTEACHER)
    earlier = MeetingFactory(
        partnership=p, panel=panel, starts_at=timezone.now() - timedelta(days=30)
    )
    meeting = MeetingFactory(partnership=p, panel=panel)
    for i in range(n):
        carried = ActionFactory(partnership=p, meeting=earlier, owner=_person(p))
        AgendaItemFactory(
            partnership=p,
            meeting=meeting,
            kind=ItemKind.MATTERS_ARISING,
            carried_action=carried,
            presenter=carried.owner,
            for_all_seats=bool(i % 2),
        )
        AgendaItemFactory(
            partnership=p,
            meeting=meeting,
            presenter=_person(p),
            minutes="Discussed.",
            for_all_seats=bool(i % 2),
        )
        MeetingAttendanceFactory(
            partnership=p, meeting=meeting, user=_person(p), status=AttendanceStatus.APOLOGIES
        )
        ActionFactory(
            partnership=p, meeting=meeting, owner=_person(p), status=ActionStatus.IN_PROGRESS
        )
    tenant.url_kwargs["pk"] = meeting.pk


def build_meeting_for_chair(tenant: Any) -> None:
    _build_meeting(tenant, SeatType.HEADTEACHER)


def build_meeting_for_pupil(tenant: Any) -> None:
    _build_meeting(tenant, SeatType.PUPIL)


# --- Evaluation review, published decisions, consultations ------------------------------------


def build_decisions(tenant: Any) -> None:
    """n panels, each with a published meeting decision and an evaluation judgement."""
    from .factories import EvaluationFactory

    p = tenant.partnership
    for _ in range(tenant.n):
        panel = PanelFactory(partnership=p)
        meeting = MeetingFactory(
            partnership=p,
            panel=panel,
            starts_at=timezone.now() - timedelta(days=5),
            minutes_approved_at=timezone.now(),
        )
        AgendaItemFactory(
            partnership=p,
            meeting=meeting,
            minutes="Agreed.",
            decision="Commission provision.",
            decision_published=True,
        )
        EvaluationFactory(partnership=p, panel=panel)


def build_evaluations(tenant: Any) -> None:
    """One panel whose area has n programmes (enrolments, registers, judgements) and n
    closed support agreements with outcomes."""
    from brokerage.models import SupportAgreement
    from tests.factories import (
        AgreementOutcomeFactory,
        AttendanceFactory,
        HubFactory,
        NeedFactory,
        ProgrammeFactory,
        ProgrammeSessionFactory,
        SupportAgreementFactory,
    )

    from .factories import EvaluationFactory

    p = tenant.partnership
    panel = PanelFactory(partnership=p)
    _seat_viewer(tenant, panel, SeatType.HEADTEACHER, chair=True)
    for _ in range(tenant.n):
        hub = HubFactory(partnership=p, area=panel.area)
        programme = ProgrammeFactory(partnership=p, hub=hub)
        session = ProgrammeSessionFactory(partnership=p, programme=programme)
        AttendanceFactory(partnership=p, session=session)
        EvaluationFactory(partnership=p, panel=panel, programme=programme, decided_by=_person(p))
        agreement = SupportAgreementFactory(
            partnership=p,
            need=NeedFactory(partnership=p, area=panel.area),
            status=SupportAgreement.Status.CLOSED,
        )
        AgreementOutcomeFactory(partnership=p, agreement=agreement)
        EvaluationFactory(
            partnership=p, panel=panel, programme=None, agreement=agreement, judgement="stop"
        )
    tenant.url_kwargs["pk"] = panel.pk


def build_consultations(tenant: Any) -> None:
    """n consultations inviting headteachers (and the viewer), each with a response."""
    from .factories import ConsultationFactory, ConsultationResponseFactory

    p = tenant.partnership
    for _ in range(tenant.n):
        consultation = ConsultationFactory(partnership=p, panel=PanelFactory(partnership=p))
        ConsultationResponseFactory(partnership=p, consultation=consultation, respondent=_person(p))


def build_collation(tenant: Any) -> None:
    """One consultation with n sections and questions and n responses answering each."""
    from .factories import (
        ConsultationAnswerFactory,
        ConsultationFactory,
        ConsultationQuestionFactory,
        ConsultationResponseFactory,
        ConsultationSectionFactory,
    )

    p = tenant.partnership
    consultation = ConsultationFactory(partnership=p)
    questions = []
    for _ in range(tenant.n):
        section = ConsultationSectionFactory(partnership=p, consultation=consultation)
        questions.append(
            ConsultationQuestionFactory(partnership=p, section=section, consultation=consultation)
        )
    groups = ["staff", "headteachers", "strategy_group", "advisory_board"]
    for i in range(tenant.n):
        response = ConsultationResponseFactory(
            partnership=p, consultation=consultation, respondent=_person(p), group=groups[i % 4]
        )
        for question in questions:
            ConsultationAnswerFactory(partnership=p, response=response, question=question)
    tenant.url_kwargs["pk"] = consultation.pk


def build_meetings_for_member(tenant: Any) -> None:
    """n panels the viewer sits on, each with a meeting and an action."""
    p = tenant.partnership
    for _ in range(tenant.n):
        panel = PanelFactory(partnership=p)
        _seat_viewer(tenant, panel)
        meeting = MeetingFactory(partnership=p, panel=panel)
        ActionFactory(partnership=p, meeting=meeting, owner=_person(p))
        MeetingFactory(partnership=p)  # another panel's: not listed


def build_evaluation_list(tenant: Any) -> None:
    """build_evaluations for a list that takes no panel in its URL (the API's)."""
    build_evaluations(tenant)
    del tenant.url_kwargs["pk"]
