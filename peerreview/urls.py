from django.urls import path

from . import views

app_name = "peerreview"

urlpatterns = [
    path("peer-review/", views.home, name="home"),
    path("peer-review/cycles/new/", views.cycle_create, name="cycle_create"),
    path("peer-review/cycles/<int:pk>/", views.cycle_detail, name="cycle_detail"),
    path("peer-review/cycles/<int:pk>/status/", views.cycle_status_page, name="cycle_status"),
    path("peer-review/cycles/<int:pk>/status.csv", views.cycle_status_csv, name="cycle_status_csv"),
    path("peer-review/cycles/<int:pk>/status.pdf", views.cycle_status_pdf, name="cycle_status_pdf"),
    path("peer-review/cycles/<int:pk>/edit/", views.cycle_edit, name="cycle_edit"),
    path("peer-review/cycles/<int:pk>/invite/", views.cycle_invite, name="cycle_invite"),
    path("peer-review/cycles/<int:pk>/schools/", views.cycle_schools, name="cycle_schools"),
    path("peer-review/cycles/<int:pk>/grouping/", views.cycle_grouping, name="cycle_grouping"),
    path(
        "peer-review/invitations/<int:pk>/",
        views.participation_respond,
        name="participation_respond",
    ),
    path("peer-review/reviews/<int:pk>/", views.review_detail, name="review_detail"),
    path("peer-review/reviews/<int:pk>/team/", views.review_team, name="review_team"),
    path("peer-review/reviews/<int:pk>/remove/", views.review_remove, name="review_remove"),
    path("peer-review/reviews/<int:pk>/visits/new/", views.visit_create, name="visit_create"),
    path("peer-review/reviews/<int:pk>/evidence/", views.evidence, name="evidence"),
    path(
        "peer-review/reviews/<int:pk>/evidence/autosave/",
        views.evidence_autosave,
        name="evidence_autosave",
    ),
    path("peer-review/reviews/<int:pk>/findings/", views.findings, name="findings"),
    path("peer-review/reviews/<int:pk>/findings/edit/", views.findings_edit, name="findings_edit"),
    path(
        "peer-review/reviews/<int:pk>/findings/autosave/",
        views.findings_autosave,
        name="findings_autosave",
    ),
    path(
        "peer-review/reviews/<int:pk>/findings/submit/",
        views.findings_submit,
        name="findings_submit",
    ),
    path("peer-review/reviews/<int:pk>/response/", views.response, name="response"),
    path("peer-review/reviews/<int:pk>/sharing/", views.sharing, name="sharing"),
    path("peer-review/reviews/<int:pk>/moderation/", views.moderation, name="moderation"),
    path("peer-review/reviews/<int:pk>/access-log/", views.access_log, name="access_log"),
    path("peer-review/shares/<int:pk>/revoke/", views.share_revoke, name="share_revoke"),
    path("peer-review/visits/<int:pk>/edit/", views.visit_edit, name="visit_edit"),
    path("peer-review/visits/<int:pk>/calendar.ics", views.visit_calendar, name="visit_calendar"),
    path("peer-review/reviewers/", views.reviewers, name="reviewers"),
    path("peer-review/reviewers/new/", views.reviewer_create, name="reviewer_create"),
    path("peer-review/reviewers/<int:pk>/edit/", views.reviewer_edit, name="reviewer_edit"),
    path("peer-review/frameworks/", views.frameworks, name="frameworks"),
    path("peer-review/frameworks/new/", views.framework_create, name="framework_create"),
    path("peer-review/frameworks/<int:pk>/", views.framework_detail, name="framework_detail"),
    path("peer-review/frameworks/<int:pk>/new-version/", views.version_new, name="version_new"),
    path("peer-review/framework-versions/<int:pk>/", views.version_detail, name="version_detail"),
    path(
        "peer-review/framework-versions/<int:pk>/publish/",
        views.version_publish,
        name="version_publish",
    ),
    path(
        "peer-review/framework-versions/<int:pk>/areas/new/",
        views.area_create,
        name="area_create",
    ),
    path("peer-review/framework-areas/<int:pk>/edit/", views.area_edit, name="area_edit"),
]
