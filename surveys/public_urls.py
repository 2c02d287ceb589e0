"""The participant's personal survey link: outside any partnership, reachable by token only."""

from django.urls import path

from . import public_views

app_name = "survey_link"

urlpatterns = [
    path("thanks/", public_views.thanks, name="thanks"),
    path("<str:token>/", public_views.answer, name="answer"),
    path("<str:token>/opt-out/", public_views.opt_out, name="opt_out"),
]
