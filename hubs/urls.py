from django.urls import path

from . import views

app_name = "hubs"

urlpatterns = [
    # Hub designations, their SLAs, delivery and re-designation.
    path("hubs/", views.hub_list, name="list"),
    path("hubs/new/", views.hub_create, name="create"),
    path("hubs/criteria/", views.criteria, name="criteria"),
    path("hubs/value/", views.value_for_money, name="value"),
    path("hubs/value/areas/<int:pk>/", views.area_value, name="area_value"),
    path("hubs/criteria/<int:pk>/edit/", views.criterion_edit, name="criterion_edit"),
    path("hubs/<int:pk>/", views.hub_detail, name="detail"),
    path("hubs/<int:pk>/edit/", views.hub_edit, name="edit"),
    path("hubs/<int:pk>/value/", views.hub_value, name="hub_value"),
    path("hubs/<int:pk>/review/", views.hub_review, name="review"),
    path("hubs/<int:pk>/programmes/new/", views.programme_create, name="programme_create"),
    path("hubs/agreements/<int:pk>/edit/", views.agreement_edit, name="agreement_edit"),
    path(
        "hubs/agreements/<int:pk>/deliverables/new/",
        views.deliverable_create,
        name="deliverable_create",
    ),
    path("hubs/agreements/<int:pk>/budget/new/", views.budget_line_create, name="budget_create"),
    path("hubs/budget/<int:pk>/edit/", views.budget_line_edit, name="budget_edit"),
    path("hubs/deliverables/<int:pk>/", views.deliverable_update, name="deliverable"),
    path("hubs/deliverables/<int:pk>/evidence/", views.evidence_upload, name="evidence_upload"),
    path("hubs/files/<int:pk>/", views.document_download, name="document"),
    # Programmes and enrolment.
    path("programmes/", views.catalogue, name="catalogue"),
    path("programmes/<int:pk>/", views.programme_detail, name="programme_detail"),
    path("programmes/<int:pk>/edit/", views.programme_edit, name="programme_edit"),
    path("programmes/<int:pk>/enrol/", views.enrol, name="enrol"),
    path("programmes/<int:pk>/enrol-group/", views.enrol_group, name="enrol_group"),
    path("programmes/sessions/<int:pk>/register/", views.register, name="register"),
    path("enrolments/<int:pk>/cancel/", views.enrolment_cancel, name="enrolment_cancel"),
    # Commissioning.
    path("calls/", views.call_list, name="calls"),
    path("calls/new/", views.call_create, name="call_create"),
    path("calls/<int:pk>/", views.call_detail, name="call_detail"),
    path("calls/<int:pk>/edit/", views.call_edit, name="call_edit"),
    path("calls/<int:pk>/open/", views.call_open, name="call_open"),
    path("calls/<int:pk>/bid/", views.bid_create, name="bid_create"),
    path("calls/<int:pk>/award/", views.call_award, name="call_award"),
    path("bids/<int:pk>/", views.bid_detail, name="bid_detail"),
    path("bids/<int:pk>/score/", views.bid_score, name="bid_score"),
]
