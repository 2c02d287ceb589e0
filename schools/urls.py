from django.urls import path

from . import import_views, views

app_name = "schools"

urlpatterns = [
    path("schools/", views.directory, name="directory"),
    path("schools/new/", views.create, name="create"),
    path("schools/import/", import_views.upload, name="import"),
    path("schools/<int:pk>/", views.detail, name="detail"),
    path("schools/<int:pk>/edit/", views.edit, name="edit"),
    path("schools/<int:pk>/category/", views.set_category, name="set_category"),
    path("clusters/", views.clusters, name="clusters"),
    path("clusters/<int:pk>/", views.cluster_detail, name="cluster_detail"),
    path("sigs/", views.sigs, name="sigs"),
    path("sigs/<int:pk>/", views.sig_detail, name="sig_detail"),
]
