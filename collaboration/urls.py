from django.urls import path

from . import views

app_name = "collaboration"

urlpatterns = [
    # Group projects of clusters and school improvement groups.
    path("projects/", views.project_list, name="projects"),
    path("projects/new/", views.project_create, name="project_create"),
    path("projects/funding/", views.allocations, name="allocations"),
    path("projects/<int:pk>/", views.project_detail, name="project"),
    path("projects/<int:pk>/edit/", views.project_edit, name="project_edit"),
    path("projects/<int:pk>/funding/", views.project_funding, name="project_funding"),
    path("projects/<int:pk>/budget/new/", views.budget_line_create, name="budget_create"),
    path("projects/<int:pk>/milestones/new/", views.milestone_create, name="milestone_create"),
    path("projects/<int:pk>/evaluation/", views.evaluation, name="evaluation"),
    path("projects/budget/<int:pk>/edit/", views.budget_line_edit, name="budget_edit"),
    path("projects/budget/<int:pk>/spend/", views.budget_spend, name="budget_spend"),
    path("projects/milestones/<int:pk>/done/", views.milestone_complete, name="milestone_complete"),
    # The shared resource library.
    path("resources/", views.library, name="library"),
    path("resources/new/", views.resource_create, name="resource_create"),
    path("resources/welsh-gaps/", views.welsh_gaps, name="welsh_gaps"),
    path("resources/following/", views.following, name="following"),
    path("resources/<int:pk>/", views.resource_detail, name="resource"),
    path("resources/<int:pk>/edit/", views.resource_edit, name="resource_edit"),
    path("resources/<int:pk>/publish/", views.resource_publish, name="resource_publish"),
    path("resources/<int:pk>/versions/new/", views.version_create, name="version_create"),
    path("resources/files/<int:pk>/", views.version_download, name="download"),
]
