"""Reads of schools and groups, run inside one partnership's scope as a request would."""

from __future__ import annotations

import pytest
from django_scopes import ScopeError

from partnership.models import Role
from partnership.tenancy import tenant_scope
from schools import selectors
from schools.models import LanguageMedium, Phase, School, SupportCategory
from schools.selectors import DirectoryFilters
from tests.factories import (
    CategoryChangeFactory,
    ClusterFactory,
    LocalAuthorityFactory,
    MembershipFactory,
    SchoolFactory,
    SchoolImprovementGroupFactory,
)

pytestmark = pytest.mark.django_db


def names(schools) -> list[str]:
    return [s.name for s in schools]


@pytest.fixture
def rows(partnership, other_partnership):
    la = LocalAuthorityFactory(partnership=partnership, name="Ceredigion")
    cluster = ClusterFactory(partnership=partnership, name="North cluster")
    aber = SchoolFactory(
        partnership=partnership,
        name="Ysgol Aberaeron",
        official_number="6671234",
        postcode="SA46 0DT",
        local_authority=la,
        language_medium=LanguageMedium.WELSH,
        support_category=SupportCategory.RED,
        cluster=cluster,
    )
    brec = SchoolFactory(
        partnership=partnership,
        name="Brecon High School",
        phase=Phase.SECONDARY,
        support_category="",
    )
    sig = SchoolImprovementGroupFactory(partnership=partnership, name="Coast SIG", schools=[aber])
    SchoolFactory(partnership=other_partnership, name="Aaa Riverside")
    return {"aber": aber, "brec": brec, "la": la, "cluster": cluster, "sig": sig}


# --- school_directory ----------------------------------------------------------------------


def test_directory_without_filters_is_every_school_of_the_partnership_by_name(partnership, rows):
    with tenant_scope(partnership):
        assert names(selectors.school_directory()) == ["Brecon High School", "Ysgol Aberaeron"]


@pytest.mark.parametrize(
    "filters",
    [
        lambda r: DirectoryFilters(local_authority=r["la"]),
        lambda r: DirectoryFilters(phase=Phase.PRIMARY),
        lambda r: DirectoryFilters(language_medium=LanguageMedium.WELSH),
        lambda r: DirectoryFilters(category=SupportCategory.RED),
        lambda r: DirectoryFilters(cluster=r["cluster"]),
        lambda r: DirectoryFilters(sig=r["sig"]),
        lambda r: DirectoryFilters(q="ABERAERON"),
        lambda r: DirectoryFilters(q=" 6671234 "),
        lambda r: DirectoryFilters(q="sa46 0dt"),
    ],
    ids=["la", "phase", "medium", "category", "cluster", "sig", "name", "number", "postcode"],
)
def test_directory_filter(partnership, rows, filters):
    with tenant_scope(partnership):
        assert names(selectors.school_directory(filters(rows))) == ["Ysgol Aberaeron"]


def test_directory_lists_a_school_once_whatever_its_groups(partnership, rows):
    SchoolImprovementGroupFactory(partnership=partnership, schools=[rows["aber"]])

    with tenant_scope(partnership):
        assert names(selectors.school_directory()) == ["Brecon High School", "Ysgol Aberaeron"]


def test_directory_outside_a_partnership_scope_raises(rows):
    from django_scopes import scope

    with pytest.raises(ScopeError), scope():
        list(selectors.school_directory())


# --- school_detail -------------------------------------------------------------------------


def test_school_detail_loads_history_newest_first_and_school_people(
    partnership, rows, member_factory, django_assert_num_queries
):
    school = rows["aber"]
    CategoryChangeFactory(partnership=partnership, school=school, reason="older")
    CategoryChangeFactory(partnership=partnership, school=school, reason="newer")
    head = member_factory(partnership, Role.HEADTEACHER, school=school)
    member_factory(partnership, Role.PEER_REVIEWER)

    with tenant_scope(partnership), django_assert_num_queries(4):
        detail = selectors.school_detail(school.pk)
        reasons = [c.reason for c in detail.category_history.all()]
        people = [m.user for m in detail.memberships.all()]
        sigs = names(detail.sigs.all())
        la = detail.local_authority.name

    assert reasons == ["newer", "older"]
    assert people == [head]
    assert sigs == ["Coast SIG"]
    assert la == "Ceredigion"


def test_school_detail_of_another_partnership_is_not_found(partnership, other_partnership):
    theirs = SchoolFactory(partnership=other_partnership)

    with pytest.raises(School.DoesNotExist), tenant_scope(partnership):
        selectors.school_detail(theirs.pk)


def test_schools_by_id_loads_summaries_in_one_query(partnership, rows, django_assert_num_queries):
    with tenant_scope(partnership), django_assert_num_queries(1):
        found = selectors.schools_by_id([rows["aber"].pk, rows["brec"].pk])
        cluster = found[rows["aber"].pk].cluster.name

    assert set(found) == {rows["aber"].pk, rows["brec"].pk}
    assert cluster == "North cluster"


def test_schools_by_id_with_no_ids_asks_nothing(partnership, django_assert_num_queries):
    with tenant_scope(partnership), django_assert_num_queries(0):
        assert selectors.schools_by_id([]) == {}


# --- Groups --------------------------------------------------------------------------------


def test_clusters_with_counts(partnership, rows):
    ClusterFactory(partnership=partnership, name="Empty cluster")

    with tenant_scope(partnership):
        counts = {c.name: c.school_count for c in selectors.clusters_with_counts()}

    assert counts == {"Empty cluster": 0, "North cluster": 1}


def test_cluster_detail_lists_its_schools_by_name(partnership, rows):
    SchoolFactory(partnership=partnership, name="Aaa Primary", cluster=rows["cluster"])

    with tenant_scope(partnership):
        cluster = selectors.cluster_detail(rows["cluster"].pk)
        listed = names(cluster.schools.all())

    assert listed == ["Aaa Primary", "Ysgol Aberaeron"]


def test_sigs_with_counts_count_each_school_once(partnership, rows):
    sub = SchoolImprovementGroupFactory(
        partnership=partnership, name="Coast SIG (maths)", parent=rows["sig"]
    )
    sub.schools.set([rows["aber"], rows["brec"]])

    with tenant_scope(partnership):
        counts = {g.name: (g.school_count, g.parent) for g in selectors.sigs_with_counts()}

    assert counts == {"Coast SIG": (1, None), "Coast SIG (maths)": (2, rows["sig"])}


def test_sig_detail_has_schools_and_subgroups(partnership, rows):
    SchoolImprovementGroupFactory(partnership=partnership, name="Maths", parent=rows["sig"])

    with tenant_scope(partnership):
        sig = selectors.sig_detail(rows["sig"].pk)
        schools, subgroups = names(sig.schools.all()), names(sig.subgroups.all())

    assert schools == ["Ysgol Aberaeron"]
    assert subgroups == ["Maths"]


# --- Caseload and counts -------------------------------------------------------------------


def test_caseload_is_the_advisers_schools_neediest_first(partnership, member_factory):
    ca = member_factory(partnership, Role.CHALLENGE_ADVISER)
    for name, category in [
        ("A", "green"),
        ("B", ""),
        ("C", "red"),
        ("D", "amber"),
        ("E", "yellow"),
    ]:
        SchoolFactory(
            partnership=partnership, name=name, support_category=category, challenge_adviser=ca
        )
    SchoolFactory(partnership=partnership, name="Not mine", support_category="red")

    with tenant_scope(partnership):
        mine = names(selectors.caseload_for(ca))
        everyone = names(selectors.caseload_for(ca, all_schools=True))

    assert mine == ["C", "D", "E", "A", "B"]
    assert everyone == ["C", "Not mine", "D", "E", "A", "B"]


def test_category_counts_include_every_category_and_uncategorised(partnership, rows):
    with tenant_scope(partnership):
        counts = selectors.category_counts()

    assert counts == {"green": 0, "yellow": 0, "amber": 0, "red": 1, "": 1}


def test_partnership_overview_counts_only_this_partnership(
    partnership, other_partnership, rows, admin_user
):
    MembershipFactory(partnership=other_partnership, role=Role.HUB_LEAD)

    with tenant_scope(partnership):
        overview = selectors.partnership_overview(partnership)

    assert overview["schools"] == 2
    assert overview["clusters"] == 1
    assert overview["sigs"] == 1
    assert overview["local_authorities"] == 2
    roles = dict(overview["roles"])
    assert roles["Partnership admin"] == 1
    assert roles["Hub lead"] == 0
