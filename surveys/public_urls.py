"""The participant's personal survey link: outside any partnership, reachable by token only."""

app_name = "survey_link"

urlpatterns: list = []
