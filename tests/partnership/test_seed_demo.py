"""`manage.py seed_demo`: the demo partnerships, their logins, idempotence and scale data."""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from io import StringIO

import pytest
from django.apps import apps
from django.core.management import CommandError, call_command
from django.db import transaction
from django.test import Client
from django.test.utils import override_settings
from django_scopes import scopes_disabled

from partnership import demo
from partnership.models import Membership, Partnership, Role, User
from schools.models import (
    CategoryChange,
    LanguageMedium,
    LocalAuthority,
    Phase,
    School,
    SchoolImprovementGroup,
    SupportCategory,
)

pytestmark = pytest.mark.django_db

WALES = demo.WELSH_CONSORTIUM.slug
LONDON = demo.LONDON_BOROUGH.slug


def seed_demo(**options) -> str:
    out = StringIO()
    call_command("seed_demo", stdout=out, **options)
    return out.getvalue()


def row_counts() -> dict[str, int]:
    """How many rows every table holds."""
    with scopes_disabled():
        return {
            model._meta.label: model._base_manager.count()
            for model in apps.get_models(include_auto_created=True)
        }


@dataclass(frozen=True)
class DemoRuns:
    first_output: str
    second_output: str
    after_first: dict[str, int]
    after_second: dict[str, int]


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    """The demo's files (resources, a board report) go to a private folder per test."""
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture(scope="module")
def demo_runs(django_db_setup, django_db_blocker, tmp_path_factory) -> Iterator[DemoRuns]:
    """The full demo, seeded twice, once for the whole module; rolled back at its end."""
    media = tmp_path_factory.mktemp("demo") / "media"
    with (
        django_db_blocker.unblock(),
        override_settings(DEBUG=True, MEDIA_ROOT=media),
        transaction.atomic(),
    ):
        first = seed_demo()
        after_first = row_counts()
        second = seed_demo()
        yield DemoRuns(first, second, after_first, row_counts())
        transaction.set_rollback(True)


def schools_of(slug: str):
    return School.objects.filter(partnership__slug=slug)


def printed_logins(output: str, partnership: Partnership) -> dict[str, str]:
    """Role label -> email, from the logins table the command printed."""
    row = re.compile(rf"^{re.escape(partnership.name)}\s{{2,}}(.+?)\s{{2,}}(\S+@\S+)$", re.M)
    return dict(row.findall(output))


# --- The Welsh consortium --------------------------------------------------------------


def test_welsh_consortium_has_about_400_schools_in_five_local_authorities(demo_runs):
    partnership = Partnership.objects.get(slug=WALES)

    assert partnership.country == "wales"
    assert 380 <= schools_of(WALES).count() <= 420
    authorities = LocalAuthority.objects.filter(partnership=partnership)
    assert authorities.count() == 5
    assert all(la.schools.exists() for la in authorities)


def test_about_a_fifth_of_welsh_schools_are_welsh_medium(demo_runs):
    schools = schools_of(WALES)

    share = schools.filter(language_medium=LanguageMedium.WELSH).count() / schools.count()

    assert 0.15 <= share <= 0.25


def test_welsh_medium_schools_have_welsh_names_and_reports(demo_runs):
    welsh = schools_of(WALES).filter(language_medium=LanguageMedium.WELSH)

    assert all(s.name.startswith("Ysgol") for s in welsh)
    assert set(welsh.values_list("report_language", flat=True)) == {"cy"}


def test_welsh_consortium_has_every_phase_and_language_medium(demo_runs):
    schools = schools_of(WALES)

    assert set(schools.values_list("phase", flat=True)) == set(Phase.values)
    assert set(schools.values_list("language_medium", flat=True)) == set(LanguageMedium.values)


def test_welsh_school_improvement_groups_cross_local_authorities(demo_runs):
    groups = SchoolImprovementGroup.objects.filter(partnership__slug=WALES, parent=None)

    assert groups.count() >= 10
    for group in groups:
        assert 6 <= group.schools.count() <= 8
        assert group.schools.values("local_authority").distinct().count() > 1


def test_some_school_improvement_groups_split_into_smaller_groups(demo_runs):
    subgroups = SchoolImprovementGroup.objects.filter(partnership__slug=WALES, parent__isnull=False)

    assert subgroups.exists()
    for subgroup in subgroups:
        assert set(subgroup.schools.all()) < set(subgroup.parent.schools.all())


def test_welsh_schools_are_in_clusters_led_by_a_secondary_school(demo_runs):
    schools = schools_of(WALES)
    clustered = schools.filter(cluster__isnull=False)

    assert clustered.count() / schools.count() > 0.9
    for cluster in {s.cluster for s in clustered.select_related("cluster")}:
        phases = set(cluster.schools.values_list("phase", flat=True))
        assert phases & {Phase.SECONDARY, Phase.ALL_THROUGH}
        assert Phase.PRIMARY in phases


# --- The London borough ----------------------------------------------------------------


def test_london_partnership_has_about_60_english_medium_schools_in_one_borough(demo_runs):
    partnership = Partnership.objects.get(slug=LONDON)
    schools = schools_of(LONDON)

    assert partnership.country == "england"
    assert 50 <= schools.count() <= 70
    assert LocalAuthority.objects.filter(partnership=partnership).count() == 1
    assert set(schools.values_list("language_medium", flat=True)) == {LanguageMedium.ENGLISH}


# --- Both partnerships -----------------------------------------------------------------


@pytest.mark.parametrize("slug", [WALES, LONDON])
def test_schools_are_in_all_four_support_categories(demo_runs, slug):
    categories = set(schools_of(slug).values_list("support_category", flat=True))

    assert categories == set(SupportCategory.values)


@pytest.mark.parametrize("slug", [WALES, LONDON])
def test_each_schools_category_is_the_latest_entry_of_its_history(demo_runs, slug):
    history: dict[int, list[CategoryChange]] = {}
    for change in CategoryChange.objects.filter(partnership__slug=slug).order_by("set_at", "id"):
        history.setdefault(change.school_id, []).append(change)

    for school in schools_of(slug):
        entries = history[school.pk]
        assert entries[-1].category == school.support_category
        assert entries[-1].moderated == school.category_moderated
        assert [e.previous_category for e in entries] == ["", *[e.category for e in entries[:-1]]]
        assert {e.set_by_id for e in entries} == {school.challenge_adviser_id}


@pytest.mark.parametrize("slug", [WALES, LONDON])
def test_every_school_has_one_headteacher_and_a_challenge_adviser(demo_runs, slug):
    heads = Counter(
        Membership.objects.filter(partnership__slug=slug, role=Role.HEADTEACHER).values_list(
            "school_id", flat=True
        )
    )
    advisers = set(
        Membership.objects.filter(partnership__slug=slug, role=Role.CHALLENGE_ADVISER).values_list(
            "user_id", flat=True
        )
    )

    for school in schools_of(slug):
        assert heads[school.pk] == 1
        assert school.challenge_adviser_id in advisers


@pytest.mark.parametrize("slug", [WALES, LONDON])
def test_output_has_one_login_per_role_holding_that_role(demo_runs, slug):
    partnership = Partnership.objects.get(slug=slug)

    logins = printed_logins(demo_runs.first_output, partnership)

    assert set(logins) == {str(label) for label in Role.labels}
    for role in Role:
        assert Membership.objects.filter(
            partnership=partnership, role=role, user__email=logins[str(role.label)]
        ).exists()
    assert f"password is: {demo.DEMO_PASSWORD}" in demo_runs.first_output


@pytest.mark.parametrize("slug", [WALES, LONDON])
def test_printed_logins_sign_in_with_the_demo_password(demo_runs, slug):
    partnership = Partnership.objects.get(slug=slug)

    for email in printed_logins(demo_runs.first_output, partnership).values():
        client = Client()
        assert client.login(username=email, password=demo.DEMO_PASSWORD), email
        assert client.get(f"/p/{slug}/").status_code == 200, email


def test_challenge_adviser_login_has_a_caseload(demo_runs):
    adviser = User.objects.get(
        email=demo.login_email(demo.WELSH_CONSORTIUM, Role.CHALLENGE_ADVISER)
    )

    assert 10 <= School.objects.filter(challenge_adviser=adviser).count() <= 40


def test_second_run_adds_nothing(demo_runs):
    assert demo_runs.after_second == demo_runs.after_first
    assert demo_runs.second_output.count("Nothing to add") == 2


# --- Options and safety ----------------------------------------------------------------


def test_refuses_to_run_while_debug_is_off(settings):
    settings.DEBUG = False
    before = row_counts()

    with pytest.raises(CommandError, match=r"DEBUG is off.*--force"):
        seed_demo()

    assert row_counts() == before


def test_force_runs_while_debug_is_off(settings):
    settings.DEBUG = False

    seed_demo(schools=12, force=True, quiet=True)

    assert schools_of(demo.SCALE_SLUG).count() == 12


def test_schools_option_builds_only_a_scale_partnership_of_that_size(settings):
    settings.DEBUG = True
    before = set(Partnership.objects.values_list("slug", flat=True))
    other_schools = School.objects.count()

    seed_demo(schools=150)

    assert set(Partnership.objects.values_list("slug", flat=True)) - before == {demo.SCALE_SLUG}
    assert School.objects.count() == other_schools + 150
    schools = schools_of(demo.SCALE_SLUG)
    assert schools.count() == 150
    assert schools.values("local_authority").distinct().count() > 1
    assert schools.exclude(cluster=None).values("cluster").distinct().count() > 1
    assert SchoolImprovementGroup.objects.filter(partnership__slug=demo.SCALE_SLUG).exists()


def test_schools_option_extends_the_scale_partnership_keeping_its_schools(settings):
    settings.DEBUG = True
    seed_demo(schools=40)
    before = set(schools_of(demo.SCALE_SLUG).values_list("official_number", "name"))

    seed_demo(schools=90)

    after = set(schools_of(demo.SCALE_SLUG).values_list("official_number", "name"))
    assert len(after) == 90
    assert before < after


def test_schools_option_prints_the_scale_partnerships_logins(settings):
    settings.DEBUG = True

    output = seed_demo(schools=20)

    partnership = Partnership.objects.get(slug=demo.SCALE_SLUG)
    assert set(printed_logins(output, partnership)) == {str(label) for label in Role.labels}


@pytest.mark.parametrize("schools", [0, -5])
def test_schools_option_needs_at_least_one_school(settings, schools):
    settings.DEBUG = True

    with pytest.raises(CommandError, match="at least 1"):
        seed_demo(schools=schools)

    assert not Partnership.objects.filter(slug=demo.SCALE_SLUG).exists()


def test_quiet_leaves_out_the_logins(settings):
    settings.DEBUG = True

    output = seed_demo(schools=20, quiet=True)

    assert "@" not in output
    assert "Scale Test Partnership" in output


def test_a_printed_login_whose_password_was_changed_gets_the_demo_password_back(settings):
    settings.DEBUG = True
    seed_demo(schools=20, quiet=True)
    admin = User.objects.get(
        email=demo.login_email(demo.scale_blueprint(20), Role.PARTNERSHIP_ADMIN)
    )
    admin.set_password("something-else-entirely")
    admin.is_active = False
    admin.save()

    seed_demo(schools=20, quiet=True)

    admin.refresh_from_db()
    assert admin.check_password(demo.DEMO_PASSWORD)
    assert admin.is_active


def test_a_second_run_keeps_what_was_edited(settings):
    settings.DEBUG = True
    seed_demo(schools=20, quiet=True)
    school = schools_of(demo.SCALE_SLUG).order_by("official_number").first()
    School.objects.filter(pk=school.pk).update(name="Renamed while trying the demo")

    seed_demo(schools=20, quiet=True)

    school.refresh_from_db()
    assert school.name == "Renamed while trying the demo"


def test_a_later_seeder_runs_in_the_partnerships_scope_after_the_others(school):
    seen: dict[str, object] = {}

    def later_app_seeder(ctx: demo.DemoContext) -> None:
        seen["schools"] = len(ctx.schools)
        seen["roles"] = set(ctx.logins)
        seen["scoped_schools"] = School.objects.count()  # not the other partnership's

    demo.seed(demo.scale_blueprint(25), seeders=[*demo.SEEDERS, later_app_seeder])

    assert seen == {"schools": 25, "roles": set(Role.values), "scoped_schools": 25}


def test_plans_are_the_same_on_every_run():
    assert demo.build_plan(demo.WELSH_CONSORTIUM) == demo.build_plan(demo.WELSH_CONSORTIUM)
