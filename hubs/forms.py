"""Forms for hubs, programmes, enrolment and commissioning.

Forms check what a single field can tell (types, ranges, required); the business rules
(capacity, deadlines, budgets) live in hubs.services, whose ValidationErrors the views put
back on the form with `add_service_errors`.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _
from django_scopes.forms import SafeModelChoiceField, SafeModelMultipleChoiceField

from partnership.forms import TenantForm
from partnership.models import Area
from schools.models import Cluster, Phase, School, SchoolImprovementGroup

from .models import (
    MAX_SCORE,
    AudienceRole,
    Bid,
    BudgetCategory,
    Call,
    CallCriterion,
    DeliverableKind,
    DeliverableStatus,
    DeliveryLanguage,
    Hub,
    HubStatus,
    Judgement,
    ProgrammeSession,
    ProgrammeStatus,
    RedesignationCriterion,
    RedesignationDecision,
)
from .selectors import CatalogueFilters
from .services import CriterionInput, ParticipantInput, SessionInput, session_errors
from .uploads import allowed_extensions_text, check_upload, max_upload_bytes

ANY = [("", _("Any"))]


def date_field(label: Any, **kwargs: Any) -> forms.DateField:
    return forms.DateField(
        label=label,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        help_text=kwargs.pop("help_text", _("For example, 2025-09-01")),
        **kwargs,
    )


def time_field(label: Any) -> forms.TimeField:
    return forms.TimeField(
        label=label,
        widget=forms.TimeInput(attrs={"type": "time"}, format="%H:%M"),
        help_text=_("24-hour clock, for example 09:30"),
    )


def money_field(label: Any, *, required: bool = True, **kwargs: Any) -> forms.DecimalField:
    return forms.DecimalField(
        label=label,
        required=required,
        min_value=0,
        max_digits=10,
        decimal_places=2,
        error_messages={
            "min_value": _("The amount cannot be negative."),
            "invalid": _("Enter an amount in pounds, like 1500 or 1500.50."),
            "max_decimal_places": _("Enter pence as two digits at most."),
        },
        widget=forms.NumberInput(attrs={"step": "0.01", "min": "0", "inputmode": "decimal"}),
        **kwargs,
    )


def textarea(rows: int = 4) -> forms.Textarea:
    return forms.Textarea(attrs={"rows": rows})


def _file_problem(upload: Any) -> None:
    try:
        check_upload(upload)
    except ValidationError as error:
        raise forms.ValidationError(error.message_dict["file"]) from None


def file_help() -> str:
    from django.template.defaultfilters import filesizeformat

    return _("%(types)s, up to %(size)s.") % {
        "types": allowed_extensions_text(),
        "size": filesizeformat(max_upload_bytes()),
    }


class PeriodMixin:
    """ends_on after starts_on, said on the end date."""

    period_fields = ("starts_on", "ends_on")

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        start, end = (data.get(f) for f in self.period_fields)
        if start and end and end <= start:
            self.add_error(self.period_fields[1], _("The end date must be after the start date."))
        return data


# --- Hubs -----------------------------------------------------------------------------------


class HubForm(PeriodMixin, TenantForm):
    name = forms.CharField(label=_("Hub name"), max_length=150)
    area = SafeModelChoiceField(Area.objects, label=_("Area"))
    schools = SafeModelMultipleChoiceField(
        School.objects,
        label=_("Hub schools"),
        help_text=_("One school, or several for a distributed hub."),
        widget=forms.SelectMultiple(attrs={"size": 8}),
    )
    description = forms.CharField(
        label=_("Description"), widget=textarea(), required=False, max_length=4000
    )
    starts_on = date_field(_("Designated from"))
    ends_on = date_field(_("Designated until"))
    funding = money_field(_("Funding for this period (£)"))
    status = forms.ChoiceField(label=_("Status"), choices=HubStatus.choices)

    def __init__(self, *args: Any, hub: Hub | None = None, **kwargs: Any) -> None:
        if hub is not None:
            kwargs.setdefault(
                "initial",
                {
                    "name": hub.name,
                    "area": hub.area,
                    "schools": list(hub.schools.all()),
                    "description": hub.description,
                    "starts_on": hub.starts_on,
                    "ends_on": hub.ends_on,
                    "status": hub.status,
                },
            )
        super().__init__(*args, **kwargs)
        self.fields["area"].queryset = Area.objects.filter(is_active=True)
        self.fields["schools"].queryset = School.objects.order_by("name")
        if hub is None:
            del self.fields["status"]
        else:
            del self.fields["funding"]


class AgreementForm(PeriodMixin, TenantForm):
    starts_on = date_field(_("Starts on"))
    ends_on = date_field(_("Ends on"))
    funding = money_field(_("Funding (£)"))
    notes = forms.CharField(label=_("Notes"), widget=textarea(3), required=False, max_length=4000)


class DeliverableForm(TenantForm):
    kind = forms.ChoiceField(label=_("Kind"), choices=DeliverableKind.choices)
    title = forms.CharField(
        label=_("What will be delivered"),
        max_length=200,
        help_text=_("For example: run a network meeting every term."),
    )
    description = forms.CharField(
        label=_("Details"), widget=textarea(3), required=False, max_length=4000
    )
    supported_school = SafeModelChoiceField(
        School.objects,
        label=_("School supported"),
        required=False,
        help_text=_("Needed when the deliverable is support for a named school."),
    )
    due_on = date_field(_("Due on"))

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["supported_school"].queryset = School.objects.order_by("name")


class DeliverableProgressForm(TenantForm):
    status = forms.ChoiceField(
        label=_("Status"), choices=DeliverableStatus.choices, widget=forms.RadioSelect
    )
    completed_on = date_field(
        _("Completed on"), required=False, help_text=_("Needed when the status is done.")
    )
    progress_note = forms.CharField(
        label=_("Progress"), widget=textarea(4), required=False, max_length=4000
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        if data.get("status") == DeliverableStatus.DONE and not data.get("completed_on"):
            self.add_error("completed_on", _("Enter the date it was completed."))
        return data


class EvidenceForm(TenantForm):
    file = forms.FileField(label=_("Evidence file"))

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["file"].help_text = file_help()

    def clean_file(self) -> Any:
        upload = self.cleaned_data["file"]
        _file_problem(upload)
        return upload


class BudgetLineForm(TenantForm):
    category = forms.ChoiceField(label=_("Category"), choices=BudgetCategory.choices)
    description = forms.CharField(label=_("What the money is for"), max_length=200)
    planned = money_field(_("Planned (£)"))
    actual = money_field(_("Spent so far (£)"), required=False)


class RedesignationCriterionForm(TenantForm):
    title = forms.CharField(label=_("Criterion"), max_length=200)
    description = forms.CharField(
        label=_("What the review looks for"), widget=textarea(3), required=False, max_length=4000
    )
    position = forms.IntegerField(label=_("Order"), min_value=0, required=False)
    is_active = forms.BooleanField(label=_("In use"), required=False, initial=True)


class RedesignationReviewForm(TenantForm):
    decision = forms.ChoiceField(
        label=_("Decision"), choices=RedesignationDecision.choices, widget=forms.RadioSelect
    )
    reasons = forms.CharField(label=_("Reasons for the decision"), widget=textarea(5))
    new_ends_on = date_field(
        _("New period ends on"), required=False, help_text=_("Needed to re-designate.")
    )
    new_funding = money_field(
        _("Funding for the new period (£)"), required=False, help_text=_("Needed to re-designate.")
    )

    def __init__(self, *args: Any, criteria: list[RedesignationCriterion], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.criteria = criteria
        for criterion in criteria:
            self.fields[f"judgement_{criterion.pk}"] = forms.ChoiceField(
                label=criterion.title,
                help_text=criterion.description,
                choices=Judgement.choices,
                widget=forms.RadioSelect,
            )
            self.fields[f"comment_{criterion.pk}"] = forms.CharField(
                label=_("Evidence and comment on “%(criterion)s”") % {"criterion": criterion.title},
                widget=textarea(3),
                required=False,
                max_length=4000,
            )
        # The decision comes after the judgements it rests on.
        self.order_fields(
            [f for f in self.fields if f.startswith(("judgement_", "comment_"))]
            + ["decision", "reasons", "new_ends_on", "new_funding"]
        )

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        if data.get("decision") == RedesignationDecision.REDESIGNATE:
            if not data.get("new_ends_on"):
                self.add_error("new_ends_on", _("Enter the end of the new period."))
            if data.get("new_funding") is None and "new_funding" not in self.errors:
                self.add_error("new_funding", _("Enter the funding for the new period."))
        return data

    def judgements(self) -> dict[int, tuple[str, str]]:
        data = self.cleaned_data
        return {
            c.pk: (data[f"judgement_{c.pk}"], data.get(f"comment_{c.pk}", ""))
            for c in self.criteria
        }


# --- Programmes -------------------------------------------------------------------------------


class ProgrammeForm(TenantForm):
    title = forms.CharField(label=_("Title"), max_length=200)
    description = forms.CharField(label=_("Description"), widget=textarea(6), max_length=8000)
    area = SafeModelChoiceField(Area.objects, label=_("Area"))
    phases = forms.MultipleChoiceField(
        label=_("Phases"),
        choices=Phase.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("Leave empty if it is for every phase."),
    )
    audience_roles = forms.MultipleChoiceField(
        label=_("Who it is for"),
        choices=AudienceRole.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("Leave empty if it is for all staff."),
    )
    places = forms.IntegerField(
        label=_("Places"),
        min_value=1,
        max_value=10000,
        error_messages={"min_value": _("A programme needs at least one place.")},
    )
    delivery_language = forms.ChoiceField(
        label=_("Language of delivery"), choices=DeliveryLanguage.choices
    )
    is_free = forms.BooleanField(label=_("Free to schools"), required=False, initial=True)
    price = money_field(
        _("Price per participant (£)"), required=False, help_text=_("Only if it is not free.")
    )
    status = forms.ChoiceField(
        label=_("Status"),
        choices=[c for c in ProgrammeStatus.choices if c[0] != ProgrammeStatus.FULL],
        help_text=_("A programme shows as full by itself when every place is taken."),
    )

    def __init__(self, *args: Any, programme: Any = None, **kwargs: Any) -> None:
        if programme is not None:
            status = programme.status
            kwargs.setdefault(
                "initial",
                {
                    "title": programme.title,
                    "description": programme.description,
                    "area": programme.area,
                    "phases": programme.phases,
                    "audience_roles": programme.audience_roles,
                    "places": programme.places,
                    "delivery_language": programme.delivery_language,
                    "is_free": programme.is_free,
                    "price": programme.price,
                    "status": ProgrammeStatus.OPEN if status == ProgrammeStatus.FULL else status,
                },
            )
        super().__init__(*args, **kwargs)
        self.fields["area"].queryset = Area.objects.filter(is_active=True)

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        if not data.get("is_free") and not data.get("price") and "price" not in self.errors:
            self.add_error("price", _("Enter the price, or tick that the programme is free."))
        return data


class SessionForm(forms.Form):
    id = forms.IntegerField(widget=forms.HiddenInput, required=False)
    title = forms.CharField(label=_("Title (optional)"), max_length=200, required=False)
    date = date_field(_("Date"))
    starts_at = time_field(_("Start time"))
    ends_at = time_field(_("End time"))
    venue = forms.CharField(label=_("Venue"), max_length=250, required=False)
    online_url = forms.URLField(
        label=_("Online link"),
        required=False,
        assume_scheme="https",
        help_text=_("A venue, an online link, or both."),
    )


class BaseSessionFormSet(forms.BaseFormSet):
    def _live_forms(self) -> list[forms.Form]:
        """Existing sessions (changed or not) and filled-in new rows, minus deleted ones."""
        existing = self.initial_form_count()
        return [
            f
            for i, f in enumerate(self.forms)
            if (i < existing or f.has_changed())
            and not (self.can_delete and self._should_delete_form(f))
        ]

    def clean(self) -> None:
        if any(self.errors):
            return
        problems = session_errors(self.sessions())
        if problems:
            raise forms.ValidationError(problems)

    def sessions(self) -> list[SessionInput]:
        return [
            SessionInput(
                id=f.cleaned_data.get("id"),
                title=f.cleaned_data.get("title", ""),
                date=f.cleaned_data["date"],
                starts_at=f.cleaned_data["starts_at"],
                ends_at=f.cleaned_data["ends_at"],
                venue=f.cleaned_data.get("venue", ""),
                online_url=f.cleaned_data.get("online_url", ""),
            )
            for f in self._live_forms()
        ]


SessionFormSet = forms.formset_factory(
    SessionForm, formset=BaseSessionFormSet, extra=2, can_delete=True, max_num=60
)


def session_initial(sessions: list[ProgrammeSession]) -> list[dict[str, Any]]:
    return [
        {
            "id": s.pk,
            "title": s.title,
            "date": s.date,
            "starts_at": s.starts_at,
            "ends_at": s.ends_at,
            "venue": s.venue,
            "online_url": s.online_url,
        }
        for s in sessions
    ]


class CatalogueFilterForm(TenantForm):
    q = forms.CharField(label=_("Search programmes"), required=False, max_length=100)
    area = SafeModelChoiceField(Area.objects, label=_("Area"), required=False, empty_label=_("Any"))
    phase = forms.ChoiceField(label=_("Phase"), choices=ANY + Phase.choices, required=False)
    language = forms.ChoiceField(
        label=_("Language of delivery"), choices=ANY + DeliveryLanguage.choices, required=False
    )
    starts_from = date_field(_("With a session from"), required=False, help_text="")
    starts_to = date_field(_("With a session until"), required=False, help_text="")
    free_only = forms.BooleanField(label=_("Free programmes only"), required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["area"].queryset = Area.objects.filter(is_active=True)

    def filters(self) -> CatalogueFilters:
        """The chosen filters; invalid input is ignored rather than failing the page."""
        data = self.cleaned_data if self.is_valid() else {}
        return CatalogueFilters(
            q=data.get("q") or "",
            area=data.get("area"),
            phase=data.get("phase") or "",
            language=data.get("language") or "",
            starts_from=data.get("starts_from"),
            starts_to=data.get("starts_to"),
            free_only=bool(data.get("free_only")),
        )


class EnrolForm(TenantForm):
    school = SafeModelChoiceField(School.objects, label=_("School"))
    participant_name = forms.CharField(label=_("Name"), max_length=150)
    participant_email = forms.EmailField(label=_("Email address"), max_length=254)
    participant_role = forms.ChoiceField(label=_("Role"), choices=AudienceRole.choices)

    def __init__(self, *args: Any, schools: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["school"].queryset = schools
        if len(self.fields["school"].queryset) == 1:
            self.fields["school"].initial = self.fields["school"].queryset[0]


class GroupEnrolForm(TenantForm):
    group = forms.ChoiceField(label=_("Enrol as"))
    allow_waiting_list = forms.BooleanField(
        label=_("If there are not enough places, put the rest on the waiting list"),
        required=False,
    )

    def __init__(self, *args: Any, groups: list[Any], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.groups = {self.key(g): g for g in groups}
        self.fields["group"].choices = [(k, self.label(g)) for k, g in self.groups.items()]

    @staticmethod
    def key(group: Any) -> str:
        return f"{'cluster' if isinstance(group, Cluster) else 'sig'}:{group.pk}"

    @staticmethod
    def label(group: Any) -> str:
        kind = _("Cluster") if isinstance(group, Cluster) else _("School improvement group")
        return f"{group.name} ({kind})"

    def chosen_group(self) -> Cluster | SchoolImprovementGroup:
        return self.groups[self.cleaned_data["group"]]


class ParticipantForm(forms.Form):
    school = forms.ModelChoiceField(School.objects.none(), label=_("School"))
    name = forms.CharField(label=_("Name"), max_length=150)
    email = forms.EmailField(label=_("Email address"), max_length=254)
    role = forms.ChoiceField(label=_("Role"), choices=AudienceRole.choices)

    def __init__(self, *args: Any, schools: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if schools is not None:
            self.fields["school"].queryset = schools
        self.fields["school"].widget.attrs["class"] = "govuk-select"


class BaseParticipantFormSet(forms.BaseFormSet):
    def clean(self) -> None:
        if any(self.errors):
            return
        if not self.participants():
            raise forms.ValidationError(_("Add at least one person to enrol."))

    def participants(self) -> list[ParticipantInput]:
        return [
            ParticipantInput(
                school=f.cleaned_data["school"],
                name=f.cleaned_data["name"],
                email=f.cleaned_data["email"],
                role=f.cleaned_data["role"],
            )
            for f in self.forms
            if f.has_changed() and f.cleaned_data
        ]


ParticipantFormSet = forms.formset_factory(
    ParticipantForm, formset=BaseParticipantFormSet, extra=6, max_num=100
)


class RegisterForm(forms.Form):
    """One attended/absent choice per confirmed participant."""

    def __init__(self, *args: Any, rows: list[Any], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.rows = rows
        for row in rows:
            initial = None if row.attended is None else ("yes" if row.attended else "no")
            self.fields[f"attended_{row.enrolment.pk}"] = forms.ChoiceField(
                label=row.enrolment.participant_name,
                choices=[("yes", _("Attended")), ("no", _("Absent"))],
                widget=forms.RadioSelect,
                initial=initial,
                error_messages={"required": _("Mark the person attended or absent.")},
            )

    def marks(self) -> dict[int, bool]:
        return {
            row.enrolment.pk: self.cleaned_data[f"attended_{row.enrolment.pk}"] == "yes"
            for row in self.rows
        }

    def bound_rows(self) -> list[tuple[Any, Any]]:
        return [(row, self[f"attended_{row.enrolment.pk}"]) for row in self.rows]


# --- Commissioning ------------------------------------------------------------------------------


class CallForm(TenantForm):
    title = forms.CharField(label=_("Title"), max_length=200)
    area = SafeModelChoiceField(Area.objects, label=_("Area"))
    need = forms.CharField(
        label=_("The need identified"),
        widget=textarea(5),
        help_text=_("What schools need, and the evidence for it."),
    )
    brief = forms.CharField(label=_("What is asked for"), widget=textarea(6))
    budget = money_field(_("Budget (£)"))
    deadline = forms.DateTimeField(
        label=_("Deadline for bids"),
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
        help_text=_("Bids arriving after this time are refused."),
    )
    renews_hub = SafeModelChoiceField(
        Hub.objects,
        label=_("Re-commissions an existing hub"),
        required=False,
        help_text=_("If the winner is this hub, the award renews its designation."),
    )

    def __init__(self, *args: Any, call: Call | None = None, **kwargs: Any) -> None:
        if call is not None:
            kwargs.setdefault(
                "initial",
                {
                    "title": call.title,
                    "area": call.area,
                    "need": call.need,
                    "brief": call.brief,
                    "budget": call.budget,
                    "deadline": call.deadline,
                    "renews_hub": call.renews_hub,
                },
            )
        super().__init__(*args, **kwargs)
        self.fields["area"].queryset = Area.objects.filter(is_active=True)
        self.fields["renews_hub"].queryset = Hub.objects.order_by("name")


class CallCriterionForm(forms.Form):
    title = forms.CharField(label=_("Criterion"), max_length=200)
    description = forms.CharField(
        label=_("What a strong bid shows"), widget=textarea(2), required=False, max_length=2000
    )
    weight = forms.IntegerField(
        label=_("Weight"),
        min_value=1,
        max_value=100,
        help_text=_("From 1 to 100: how much this criterion counts."),
    )


class BaseCallCriterionFormSet(forms.BaseFormSet):
    def clean(self) -> None:
        if any(self.errors):
            return
        if not self.criteria():
            raise forms.ValidationError(_("Add at least one criterion bids will be scored on."))

    def criteria(self) -> list[CriterionInput]:
        return [
            CriterionInput(
                title=f.cleaned_data["title"],
                weight=f.cleaned_data["weight"],
                description=f.cleaned_data.get("description", ""),
            )
            for f in self.forms
            if f.has_changed() and f.cleaned_data
        ]


CallCriterionFormSet = forms.formset_factory(
    CallCriterionForm, formset=BaseCallCriterionFormSet, extra=3, max_num=20
)


def criterion_initial(criteria: list[CallCriterion]) -> list[dict[str, Any]]:
    return [{"title": c.title, "description": c.description, "weight": c.weight} for c in criteria]


class BidForm(TenantForm):
    school = SafeModelChoiceField(School.objects, label=_("Bidding school"))
    proposal = forms.CharField(label=_("Proposal"), widget=textarea(6), max_length=10000)
    delivery_plan = forms.CharField(
        label=_("Delivery plan"),
        widget=textarea(6),
        max_length=10000,
        help_text=_("Who delivers what, when, and how you will know it worked."),
    )
    cost = money_field(_("Cost (£)"))
    capacity = forms.IntegerField(
        label=_("Capacity"),
        min_value=1,
        max_value=10000,
        help_text=_("How many participants you can take."),
        error_messages={"min_value": _("Say how many participants you can take.")},
    )
    delivery_language = forms.ChoiceField(
        label=_("Language of delivery"), choices=DeliveryLanguage.choices
    )
    document = forms.FileField(label=_("Supporting document (optional)"), required=False)

    def __init__(self, *args: Any, schools: Any, bid: Bid | None = None, **kwargs: Any) -> None:
        if bid is not None:
            kwargs.setdefault(
                "initial",
                {
                    "school": bid.school,
                    "proposal": bid.proposal,
                    "delivery_plan": bid.delivery_plan,
                    "cost": bid.cost,
                    "capacity": bid.capacity,
                    "delivery_language": bid.delivery_language,
                },
            )
        super().__init__(*args, **kwargs)
        self.fields["school"].queryset = schools
        if len(schools) == 1:
            self.fields["school"].initial = schools[0]
        self.fields["document"].help_text = file_help()

    def clean_document(self) -> Any:
        upload = self.cleaned_data.get("document")
        if upload:
            _file_problem(upload)
        return upload


class BidScoreForm(TenantForm):
    feedback = forms.CharField(
        label=_("Feedback to the school"),
        widget=textarea(5),
        help_text=_("The school reads this with its scores, whatever the outcome."),
    )

    def __init__(self, *args: Any, bid: Bid, **kwargs: Any) -> None:
        existing = {s.criterion_id: s for s in bid.scores.all()}
        initial = {"feedback": bid.feedback}
        for criterion_id, score in existing.items():
            initial[f"score_{criterion_id}"] = score.score
            initial[f"comment_{criterion_id}"] = score.comment
        kwargs.setdefault("initial", initial)
        super().__init__(*args, **kwargs)
        self.criteria = list(bid.call.criteria.all())
        for criterion in self.criteria:
            self.fields[f"score_{criterion.pk}"] = forms.TypedChoiceField(
                label=_("%(criterion)s (weight %(weight)s)")
                % {"criterion": criterion.title, "weight": criterion.weight},
                help_text=criterion.description,
                choices=[(n, str(n)) for n in range(MAX_SCORE + 1)],
                coerce=int,
                widget=forms.RadioSelect,
            )
            self.fields[f"comment_{criterion.pk}"] = forms.CharField(
                label=_("Comment on “%(criterion)s”") % {"criterion": criterion.title},
                widget=textarea(2),
                required=False,
                max_length=4000,
            )
        self.order_fields([f for f in self.fields if f != "feedback"] + ["feedback"])

    def scores(self) -> dict[int, tuple[int, str]]:
        data = self.cleaned_data
        return {
            c.pk: (data[f"score_{c.pk}"], data.get(f"comment_{c.pk}", "")) for c in self.criteria
        }


class AwardForm(PeriodMixin, TenantForm):
    bid = forms.ModelChoiceField(
        Bid.objects.none(), label=_("Winning bid"), widget=forms.RadioSelect
    )
    reasons = forms.CharField(
        label=_("Reasons for the decision"),
        widget=textarea(6),
        help_text=_("Every bidder can read these reasons."),
    )
    starts_on = date_field(_("Designation starts on"))
    ends_on = date_field(_("Designation ends on"))

    def __init__(self, *args: Any, bids: list[Bid], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["bid"]
        field.queryset = Bid.objects.filter(pk__in=[b.pk for b in bids])
        labels = {
            b.pk: _("%(school)s – £%(cost)s – %(score)s")
            % {
                "school": b.school.name,
                "cost": b.cost,
                "score": f"{b.score_percent}%" if b.score_percent is not None else _("not scored"),
            }
            for b in bids
        }
        field.label_from_instance = lambda bid: labels.get(bid.pk, str(bid))
