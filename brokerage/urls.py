from django.urls import path

from . import views

app_name = "brokerage"

urlpatterns = [
    path("brokerage/", views.index, name="index"),
    path("brokerage/board/", views.board, name="board"),
    path("brokerage/dashboard/", views.dashboard, name="dashboard"),
    path("brokerage/needs/new/", views.need_create, name="need_create"),
    path("brokerage/needs/<int:pk>/", views.need_detail, name="need_detail"),
    path("brokerage/needs/<int:pk>/edit/", views.need_edit, name="need_edit"),
    path("brokerage/needs/<int:pk>/withdraw/", views.need_withdraw, name="need_withdraw"),
    path("brokerage/needs/<int:pk>/suggestions/", views.suggestions, name="suggestions"),
    path(
        "brokerage/needs/<int:pk>/offers/<int:offer_pk>/agreement/",
        views.agreement_create,
        name="agreement_create",
    ),
    path(
        "brokerage/needs/<int:pk>/offers/<int:offer_pk>/override/",
        views.override,
        name="override",
    ),
    path(
        "brokerage/needs/<int:pk>/offers/<int:offer_pk>/decline/",
        views.suggestion_decline,
        name="suggestion_decline",
    ),
    path("brokerage/offers/new/", views.offer_create, name="offer_create"),
    path("brokerage/offers/<int:pk>/", views.offer_detail, name="offer_detail"),
    path("brokerage/offers/<int:pk>/edit/", views.offer_edit, name="offer_edit"),
    path("brokerage/offers/<int:pk>/withdraw/", views.offer_withdraw, name="offer_withdraw"),
    path("brokerage/agreements/", views.agreements, name="agreements"),
    path("brokerage/agreements/<int:pk>/", views.agreement_detail, name="agreement_detail"),
    path(
        "brokerage/agreements/<int:pk>/confirm/",
        views.agreement_confirm,
        name="agreement_confirm",
    ),
    path(
        "brokerage/agreements/<int:pk>/decline/",
        views.agreement_decline,
        name="agreement_decline",
    ),
    path(
        "brokerage/agreements/<int:pk>/sessions/new/", views.session_create, name="session_create"
    ),
    path("brokerage/agreements/<int:pk>/close/", views.agreement_close, name="agreement_close"),
]
