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


# What a voter types -> the county (or state) that must come first, on the real release and the
# real zipcodes data. "City, ST" lands on the city's county, never on a same-named county.
FIRST = [
    ("Austin, TX", "48453"),  # Travis, not Austin County (48015)
    ("Houston, TX", "48201"),  # Harris, not Houston County (48225)
    ("Jackson, MS", "28049"),  # Hinds, not Jackson County (28059)
    ("Boise, ID", "16001"),  # Ada, not Boise County (16015)
    ("Nashville, TN", "47037"),  # Davidson
    ("Austin, Texas", "48453"),
    ("austin tx", "48453"),
    ("Austin", "48453"),  # a bare big-city name: the city's county first
    ("Boise", "16001"),
    ("Jackson", "28049"),
    ("Miami", "12086"),
    ("Denver", "08031"),
    ("Kansas City", "29095"),  # Jackson County, MO holds most of its ZIP codes
    ("Tampa, FL", "12057"),
    ("Washington, DC", "11001"),
    ("New York, NY", "36061"),
    ("St. Louis", "29510"),  # the independent city leads, the county comes next
    ("St. Louis, MO", "29510"),
    ("Saint Louis County, MO", "29189"),
    ("Baltimore", "24510"),
    ("Harris", "48201"),  # no big city of that name: the counties, biggest first (TX, GA)
    ("lee county", "12071"),  # Lee County, FL is the biggest of the ten
    ("Harris County, TX", "48201"),
    ("Huston, TX", "48201"),  # a misspelt city is the city, not Houston County
    ("Dona Ana", "35013"),
    ("dona ana county, nm", "35013"),
    ("Prince George\u2019s", "24033"),  # a phone keyboard's curly apostrophe
    ("prince georges county, md", "24033"),
    ("miami dade", "12086"),
    ("MIAMI-DADE COUNTY", "12086"),
    ("Orleans County, LA", "22071"),  # county or parish: the same place
    ("orleans parish", "22071"),
    ("Hillsborugh", "12057"),  # misspelt: best matches first, then biggest (FL before NH)
    ("Hillsborugh, NH", "33011"),
    ("St. Mary's County", "24037"),
    ("Saint Charles, MO", "29183"),
    ("Florida", "12"),
    ("33602", "12057"),
]


@pytest.mark.parametrize(("query", "expected"), FIRST)
def test_ranking_puts_the_right_place_first(index, query, expected):
    assert fips(index.search(query))[0] == expected


@pytest.mark.parametrize(("query", "also", "wrong"), [
    ("Austin, TX", "48015", None), ("Houston, TX", "48225", None),
    ("Jackson, MS", "28059", None), ("Boise, ID", "16015", None),
    ("Nashville, TN", None, "47"), ("Florida", None, "36071"),
])
def test_same_named_county_comes_after_the_city_and_never_from_elsewhere(index, query, also,
                                                                          wrong):
    found = fips(index.search(query))
    if also:
        assert also in found[1:]
    if wrong:
        assert not [f for f in found[1:] if f.startswith(wrong) or f == wrong]


def test_results_say_what_each_place_is(index):
    result = index.search("Nashville, TN")
    assert fips(result) == ["47037"]
    assert result.context(result.places[0]) == "Nashville, TN \u2014 Davidson County"
    austin = index.search("Austin, TX")
    assert austin.context(austin.places[0]) == (
        "Austin, TX \u2014 Travis County (main county: 78 of the city's 81 ZIP codes)")
    assert "several counties" in austin.note
    assert austin.context(index.get("48015")) == "Austin County, TX: the county named Austin"
    stl = index.search("St. Louis, MO")
    assert fips(stl) == ["29510", "29189"]
    assert "independent city" in stl.context(stl.places[0])
    assert "county around the independent city" in stl.context(stl.places[1])


def test_a_full_name_is_one_place(index):
    for query in ("Harris County, TX", "Lee County, FL", "Florida", "Tampa, FL",
                  "Prince George\u2019s County, MD", "Hillsborugh, FL"):
        assert len(index.search(query).places) == 1, query


def test_territories_answer_instead_of_suggesting_a_county(index):
    for query, name in (("Guam", "Guam"), ("guam", "Guam"), ("San Juan, PR", "Puerto Rico"),
                        ("Puerto Rico", "Puerto Rico"), ("U.S. Virgin Islands",
                                                         "U.S. Virgin Islands")):
        result = index.search(query)
        assert result.via == "territory" and result.places == [], query
        assert name in result.note and "territory" in result.note
    assert "48187" not in fips(index.search("Guam"))  # Guadalupe County, TX


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
    assert "several" in result.note.lower()


def test_misspelling_finds_close_names(index):
    assert "05119" in fips(index.search("Pulaksi"))
    # Below the threshold nothing is suggested: a guess would be worse than "no match".
    assert index.search("Zzyzxville").places == []


def test_nothing_found_says_so_without_guessing(index):
    for query in ("99999", "Xyzzyville, ZZ", "qqqqqq"):
        result = index.search(query)
        assert result.places == [] and result.via == "none"
        assert "No county" in result.note
    assert index.search("").places == []


def test_territories_given_to_the_index_are_places_found_by_name_and_zip():
    """The app's index holds the five territories: each has a profile (no shape)."""
    from coopmap import gazetteer
    from coopmap.store import default_store

    release = default_store().current()
    index = PlaceIndex(release.table("counties"), release.table("states"),
                       gazetteer.states().query("is_territory"))
    guam = index.search("Guam")
    assert [(p.level, p.fips) for p in guam.places][:1] == [("territory", "66")]
    for zip_code, fips_ in (("96910", "66"), ("00901", "72"), ("00802", "78"),
                            ("96950", "69"), ("96799", "60")):
        found = index.search(zip_code)
        assert [p.fips for p in found.places] == [fips_], zip_code
        assert "territory" in found.note
    assert index.get("72").name == "Puerto Rico" and index.get("72").level == "territory"
    assert index.search("Puerto Rico").places[0].fips == "72"
