"""Finding a county or state by name, city or ZIP code, on the real release's places."""

from __future__ import annotations

import pytest

from coopmap.places_search import PlaceIndex
from coopmap.store import default_store


@pytest.fixture(scope="module")
def index() -> PlaceIndex:
    release = default_store().current()
    return PlaceIndex(release.table("counties"), release.table("states"))


def fips(result) -> list[str]:
    return [p.fips for p in result.places]


def test_every_county_and_state_is_an_option_with_a_unique_label(index):
    places = index.all()
    assert len(places) == 3142 + 51
    assert len({p.label for p in places}) == len(places)
    assert index.get("12071").label == "Lee County, FL"
    assert index.get("12").label == "Florida"
    assert index.get("99999") is None


def test_options_and_labels_are_the_sorted_places_computed_once(index):
    places = index.all()
    # States by name first, then counties by label (case-insensitive), as the box lists them.
    assert [p.level for p in places[:51]] == ["state"] * 51
    assert [p.name for p in places[:51]] == sorted(p.name for p in places[:51])
    county_keys = [(p.label.casefold(), p.fips) for p in places[51:]]
    assert county_keys == sorted(county_keys)
    assert list(index.options()) == [p.fips for p in places]
    assert [index.label(f) for f in index.options()] == [p.label for p in places]
    assert index.label("99999") == "99999"  # unknown code shown as itself, never a guess
    # Built once: the same object on every call, and a caller's list cannot reorder it.
    assert index.options() is index.options()
    places.reverse()
    assert index.all()[0].name == "Alabama"


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("Lee County, FL", ["12071"]),
        ("lee county, fl", ["12071"]),
        ("Florida", ["12"]),
        ("FL", ["12"]),
        ("Miami-Dade", ["12086"]),
        ("dona ana", ["35013"]),
        ("Pulaski, AR", ["05119"]),
        ("St Louis city", ["29510"]),
    ],
)
def test_names(index, query, expected):
    result = index.search(query)
    assert result.via == "name"
    assert fips(result)[: len(expected)] == expected


def test_county_and_independent_city_of_the_same_name_both_offered(index):
    assert set(fips(index.search("St. Louis"))) >= {"29510", "29189"}
    assert set(fips(index.search("Baltimore"))) >= {"24510", "24005"}
    assert set(fips(index.search("Franklin, VA"))) >= {"51620", "51067"}


def test_zip_code_gives_its_main_county_and_says_so(index):
    result = index.search("33602")
    assert result.via == "zip" and fips(result) == ["12057"]
    assert "main county" in result.note and "33602" in result.note
    assert fips(index.search("33602-1234")) == ["12057"]
    assert fips(index.search("22046")) == ["51610"]  # Falls Church city (empty shape) still found


def test_city_with_state(index):
    result = index.search("Tampa, FL")
    assert result.via == "city" and fips(result) == ["12057"]
    assert "Hillsborough County" in result.note


def test_city_in_several_counties_or_states_lists_them(index):
    result = index.search("Kansas City")
    assert result.via == "city"
    assert {"29095", "20209"} <= set(fips(result))
    assert "several" in result.note


def test_misspelling_finds_close_names(index):
    assert "05119" in fips(index.search("Pulaksi"))


def test_nothing_found_says_so_without_guessing(index):
    for query in ("99999", "Xyzzyville, ZZ", "qqqqqq"):
        result = index.search(query)
        assert result.places == [] and result.via == "none"
        assert "No county" in result.note
    assert index.search("").places == []
