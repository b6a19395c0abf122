"""The one walk of the agency tree that every access scope and every report starts from."""

import pytest

from procedures.models import Agency
from procedures.selectors import MAX_AGENCY_DEPTH, agency_children, agency_subtree_ids
from tests.factories import AgencyFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def city():
    city = AgencyFactory(name="UBND thành phố")
    department = AgencyFactory(name="Sở Tư pháp", parent=city)
    ward = AgencyFactory(name="UBND phường Hải Châu", parent=city)
    police = AgencyFactory(name="Công an phường Hải Châu", parent=ward)
    other = AgencyFactory(name="UBND tỉnh khác")
    return city, department, ward, police, other


def test_subtree_is_the_agency_then_everything_below_it_level_by_level(city):
    top, department, ward, police, other = city

    ids = agency_subtree_ids([top.pk])

    assert ids[0] == top.pk
    assert set(ids[1:3]) == {department.pk, ward.pk} and ids[3] == police.pk
    assert other.pk not in ids


def test_subtree_of_several_roots_lists_each_agency_once(city):
    top, _department, ward, police, _other = city

    ids = agency_subtree_ids([ward.pk, top.pk, ward.pk])

    assert ids[:2] == [ward.pk, top.pk]
    assert len(ids) == len(set(ids)) == 4
    assert police.pk in ids


def test_a_parent_loop_entered_by_mistake_ends_the_walk(city):
    top, _department, ward, _police, _other = city
    Agency.objects.filter(pk=top.pk).update(parent=ward)

    ids = agency_subtree_ids([top.pk])

    assert len(ids) == len(set(ids)) == 4


def test_a_chain_deeper_than_the_bound_stops_at_the_bound():
    chain = [AgencyFactory()]
    for _ in range(MAX_AGENCY_DEPTH + 3):
        chain.append(AgencyFactory(parent=chain[-1]))

    assert len(agency_subtree_ids([chain[0].pk])) == MAX_AGENCY_DEPTH + 1


def test_a_tree_already_loaded_is_walked_without_a_query(city, django_assert_num_queries):
    top, *_ = city
    children = agency_children()

    with django_assert_num_queries(0):
        assert len(agency_subtree_ids([top.pk], children)) == 4
