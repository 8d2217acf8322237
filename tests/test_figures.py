"""Figure builders and their data shaping, on the real current release."""

from __future__ import annotations

import pandas as pd
import pytest

from coopmap import figures, postures, schema
from coopmap.text import t
from coopmap.ui import queries


@pytest.fixture(scope="module")
def month(release):
    return postures.months(release)[-1]


@pytest.fixture(scope="module")
def counties(release, month):
    return postures.county_postures(release, month)


@pytest.fixture(scope="module")
def states(release, month, counties):
    return postures.state_postures(release, month, counties=counties)


def build(df: pd.DataFrame, level: str, layer: str, **kw) -> dict:
    frame, labels = queries.map_frame(df, level, layer, kw.pop("states", None))
    return figures.map_spec(
        frame, locations="location", category="category",
        categories=queries.layer_labels(layer), colours=figures.LAYERS[layer].colours,
        hover_name="name", hover_data=labels,
        title="TITLE", subtitle="SUBTITLE", source="SOURCE LINE", **kw,
    )


def by_category(spec: dict) -> dict[str, set[str]]:
    """Legend label -> the ids drawn in its colour."""
    out: dict[str, set[str]] = {label: set() for label, _, _ in spec["legend"]}
    for row in spec["rows"]:
        out[spec["legend"][row[1]][0]].add(row[0])
    return out


def test_county_model_map_has_every_county_once_in_its_category(counties):
    spec = build(counties, "county", "model")
    # The legend: every category in the contract's order, with the contract's colours.
    assert [label for label, _, _ in spec["legend"]] == list(schema.MODEL_CATEGORIES.values())
    assert [colour for _, colour, _ in spec["legend"]] == list(
        schema.MODEL_CATEGORY_COLOURS[c] for c in schema.MODEL_CATEGORIES)
    drawn = by_category(spec)
    for code, label in schema.MODEL_CATEGORIES.items():
        expected = set(counties.loc[counties["model_category"] == code, "county_fips"])
        assert drawn[label] == expected
    located = [row[0] for row in spec["rows"]]
    assert len(located) == len(set(located)) == 3142
    assert all(len(loc) == 5 and loc.isdigit() for loc in located)


def test_map_carries_title_subtitle_legend_and_source(counties):
    spec = build(counties, "county", "model")
    assert (spec["title"], spec["subtitle"], spec["source"]) == ("TITLE", "SUBTITLE",
                                                                 "SOURCE LINE")
    assert spec["focus"] == [] and spec["highlight"] == []
    # "No agreement" areas get a grey edge: a white one would vanish on their pale fill.
    edges = {label: edge for label, _, edge in spec["legend"]}
    assert edges[schema.MODEL_CATEGORIES["none"]] == "#D0D0D0"
    assert edges[schema.MODEL_CATEGORIES["JEM"]] == figures.BORDER_COLOUR


def test_hover_shows_plain_values_with_labels(counties):
    spec = build(counties, "county", "detainer_holds")
    lee = next(row for row in spec["rows"] if row[0] == "12071")
    assert lee[2] == "Lee County, FL"
    labels = spec["hover_labels"]
    assert labels[0] == "287(g) agreements" and "Detainer holds" in labels
    lee_row = counties.set_index("county_fips").loc["12071"]
    value = schema.POLICY_VALUES[lee_row["detainer_holds"]]
    basis = schema.POLICY_BASES[lee_row["detainer_holds_basis"]]
    check = schema.VALUE_CHECKS[lee_row["detainer_holds_check"]]
    assert lee[3 + labels.index("Detainer holds")] == (
        f"{value} · {basis} {lee_row['detainer_holds_source']} · {check}")
    assert lee[3] == f"{int(lee_row['n_agreements']):,}"
    assert all(len(row) == 3 + len(labels) for row in spec["rows"])


def test_unknown_is_its_own_colour_distinct_from_none(counties):
    spec = build(counties, "county", "release_notification")
    colours = {label: colour for label, colour, _ in spec["legend"]}
    assert colours[schema.POLICY_VALUES["unknown"]] == schema.UNKNOWN_COLOUR
    assert schema.UNKNOWN_COLOUR != schema.NONE_COLOUR
    n_unknown = int((counties["release_notification"] == "unknown").sum())
    assert len(by_category(spec)[schema.POLICY_VALUES["unknown"]]) == n_unknown > 0


def test_state_level_and_state_filter(states, counties):
    spec = build(states, "state", "stance")
    assert len(spec["rows"]) == 51
    florida = build(counties, "county", "model", states=["12"], focus=("12",),
                    highlight=("12071",))
    located = [row[0] for row in florida["rows"]]
    assert len(located) == 67 and all(loc.startswith("12") for loc in located)
    assert florida["focus"] == ["12"] and florida["highlight"] == ["12071"]


def test_values_outside_the_vocabulary_raise(counties):
    frame, labels = queries.map_frame(counties, "county", "model")
    frame.loc[0, "category"] = "bogus"
    with pytest.raises(ValueError, match="bogus"):
        figures.map_spec(
            frame, locations="location", category="category",
            categories=schema.MODEL_CATEGORIES, colours=schema.MODEL_CATEGORY_COLOURS,
            hover_name="name", hover_data=labels, title="", subtitle="", source="")
    with pytest.raises(ValueError, match="nope"):
        figures.map_spec(frame, locations="nope", category="category", categories={},
                         colours={}, hover_name="name", hover_data={}, title="", subtitle="",
                         source="")
    with pytest.raises(ValueError, match="population"):
        figures.map_spec(frame.assign(category="none", population=pd.NA),
                         locations="location", category="category",
                         categories=schema.MODEL_CATEGORIES,
                         colours=schema.MODEL_CATEGORY_COLOURS, hover_name="name",
                         hover_data=labels, title="", subtitle="", source="")
    ok = frame.assign(category="none")
    with pytest.raises(ValueError, match="RRGGBB"):  # colours go into SVG attributes
        figures.map_spec(ok, locations="location", category="category",
                         categories={"none": "None"}, colours={"none": "red\" onclick=\""},
                         hover_name="name", hover_data={}, title="", subtitle="", source="")


def test_count_bins_cover_every_count():
    n = pd.Series([0, 1, 2, 3, 4, 9, 10, 250], dtype="Int64")
    assert figures.count_bin(n).tolist() == ["0", "1", "2", "2", "4", "4", "10", "10"]


def test_image_presets_are_2x_landscape_and_square():
    landscape = figures.chart_config(preset="landscape")
    square = figures.chart_config(preset="square")
    assert landscape["toImageButtonOptions"] | {} == {
        "format": "png", "filename": "coopmap-landscape", "width": 1200, "height": 675,
        "scale": 2}
    assert (square["toImageButtonOptions"]["width"],
            square["toImageButtonOptions"]["height"]) == (1080, 1080)
    assert figures.image_sizes("square") == (1080, 1080)
    with pytest.raises(ValueError, match="landscape"):
        figures.chart_config(preset="poster")


def test_growth_by_month_matches_each_sheet(release):
    growth = queries.monthly_by_model(release)
    per_month = growth.groupby("month")["agreements"].sum()
    sheets = release.table("sheets")
    sheets = sheets[sheets["list"] == "participating"].set_index("month")["agreements"]
    assert per_month.to_dict() == sheets.astype(int).to_dict()
    fig = figures.stacked_bars(growth, x="month", y="agreements", colour="model",
                               categories=schema.MODELS,
                               colours=schema.MODEL_CATEGORY_COLOURS, title="T",
                               subtitle="S", source="SRC")
    assert [tr.name for tr in fig.data] == list(schema.MODELS.values())
    assert fig.layout.barmode == "stack"


def test_timeline_of_a_county(release):
    history = queries.place_history(release, county_fips="12071")
    assert not history.empty
    fig = figures.timeline(history, label="label", start="first_listed", end="last_listed",
                           colour="model", categories=schema.MODELS,
                           colours=schema.MODEL_CATEGORY_COLOURS, title="T", subtitle="S",
                           source="SRC")
    assert sum(len(tr.y) for tr in fig.data) == len(history)


def test_timeline_fits_a_phone(release):
    """At 390 px the bars keep the width: each name sits above its bar (not as axis labels
    beside it), the axis spans the whole period, the title is broken into short lines."""
    months = postures.months(release)
    history = queries.place_history(release, county_fips="12071")
    fig = figures.timeline(history, label="label", start="first_listed", end="last_listed",
                           colour="model", categories=schema.MODELS,
                           colours=schema.MODEL_CATEGORY_COLOURS,
                           title="This place's agreements over time: Lee County, FL",
                           subtitle="S", source="Source: " + "x " * 80,
                           period=(months[0], months[-1]))
    assert fig.layout.yaxis.showticklabels is False
    names = [a.text for a in fig.layout.annotations if a.yref == "y"]
    assert names == list(dict.fromkeys(history["label"]))
    assert all(a.xref == "paper" and a.x == 0 and a.xanchor == "left"
               for a in fig.layout.annotations)
    assert tuple(fig.layout.xaxis.range) == (f"{months[0]}-01",
                                             postures.shift_month(months[-1], 1) + "-01")
    lines = fig.layout.title.text.split("<br>")
    assert len(lines) == 2 and all(len(line) <= 34 for line in lines)
    source = next(a.text for a in fig.layout.annotations if a.yref == "paper")
    assert all(len(line) <= figures.SOURCE_WRAP for line in source.split("<br>"))


MARKUP = ["<a href='https://example.org'>Click</a> Sheriff's Office",
          "<span style='font-size:40px;color:red'>Big</span> Police Department",
          "<script>alert('x')</script> Police Department", "A & B <b>Task</b> Force"]


def test_data_text_is_never_markup_in_any_figure():
    """Plotly reads <a href>, <span style>, <b> in labels, titles and hovers: data text is
    escaped, so it shows as typed (plotly decodes the entities after finding the tags)."""
    escaped = [figures.plain(m) for m in MARKUP]
    assert all("<" not in e and ">" not in e for e in escaped)
    assert escaped[3] == "A &amp; B &lt;b&gt;Task&lt;/b&gt; Force"
    frame = pd.DataFrame({"label": MARKUP, "first_listed": "2025-01", "last_listed": "2025-06",
                          "model": "TFM", "n": [1, 2, 3, 4]})
    tl = figures.timeline(frame, label="label", start="first_listed", end="last_listed",
                          colour="model", categories=schema.MODELS,
                          colours=schema.MODEL_CATEGORY_COLOURS, title=MARKUP[0],
                          subtitle=MARKUP[1], source=MARKUP[2])
    ranked = figures.ranked_bars(frame, label="label", value="n", title="T", subtitle="S",
                                 source="SRC")
    bars = figures.stacked_bars(frame.assign(month=MARKUP), x="month", y="n", colour="model",
                                categories=schema.MODELS, colours=schema.MODEL_CATEGORY_COLOURS,
                                title="T", subtitle="S", source="SRC")
    for fig in (tl, ranked, bars):
        text = fig.to_json()
        for m in MARKUP:
            assert m not in text and "<a href" not in text and "<span" not in text
    assert list(tl.data[0].y) == escaped
    assert sorted(ranked.data[0].y) == sorted(escaped)
    assert list(next(d for d in bars.data if len(d.x)).x) == escaped
    assert tl.layout.title.text.replace("<br>", "") == escaped[0]  # wrapped for a phone


def test_ranked_states(states):
    ranked = queries.states_ranked(states)
    fig = figures.ranked_bars(ranked, label="name", value="n_agreements", title="T",
                              subtitle="S", source="SRC")
    assert list(fig.data[0].x) == sorted(ranked["n_agreements"].tolist())
    assert "Florida" in list(fig.data[0].y)


def test_csv_neutralises_spreadsheet_formulas(counties):
    table = queries.display_table(counties, "county", "model")
    table.loc[0, table.columns[0]] = "=HYPERLINK(\"http://x\")"
    table.loc[1, table.columns[0]] = "+1"
    table.loc[2, table.columns[0]] = "-1"
    table.loc[3, table.columns[0]] = "@SUM(A1)"
    text = queries.to_csv_bytes(table).decode("utf-8-sig").splitlines()
    assert text[1].startswith("'=HYPERLINK") or text[1].startswith("\"'=HYPERLINK")
    assert text[2].startswith("'+1") and text[3].startswith("'-1")
    assert text[4].startswith("'@SUM")
    assert "Autauga County" not in text[1]
    assert len(text) == 3143
    # Plain column names for people, no raw codes.
    assert "model_category" not in text[0] and "Place" in text[0]


def _models_row_by_row(rows: pd.DataFrame) -> pd.Series:
    """The former row-wise models column, kept as the reference for the vectorised one."""
    return rows.apply(lambda r: ", ".join(m for m in ("JEM", "WSO", "TFM")
                                          if bool(r[f"has_{m.lower()}"])), axis=1)


@pytest.mark.parametrize(("level", "month_", "models", "layer", "states"), [
    ("county", None, None, "model", None),
    ("county", "2024-01", ("JEM", "WSO"), "jail_access", None),
    ("state", "2025-05", ("TFM",), "stance", ["12", "48"]),
])
def test_display_table_models_column_matches_the_row_by_row_reference(
        release, month, level, month_, models, layer, states):
    m = month_ or month
    rows = (postures.county_postures(release, m, models=models) if level == "county"
            else postures.state_postures(release, m, models=models))
    table = queries.display_table(rows, level, layer, states)
    if states:
        rows = rows[rows["state_fips"].isin(states)]
    expected = _models_row_by_row(rows).reset_index(drop=True)
    got = table[t("table.col.models")]
    assert got.tolist() == expected.tolist()
    assert got.str.contains("JEM, ").any() or level == "state"  # several models joined
    assert (got == "").any() or level == "state"  # no model stays empty, not "None"


def test_hover_keeps_data_text_as_text(counties):
    # The map sets hover text with textContent: markup in a name must arrive unchanged (an
    # HTML-escaped "&lt;" would be shown literally), and it is never parsed.
    rows = counties.head(2).copy()
    rows.loc[rows.index[0], "name"] = "<b>A & B</b>"
    frame, _ = queries.map_frame(rows, "county", "model")
    assert frame.loc[0, "name"] == "<b>A & B</b>, AL"


@pytest.mark.parametrize(
    "view",
    [{}, {"states": ("12", "48")}, {"models": ("TFM",)}, {"agency_types": ("municipality",)},
     {"states": ("06",), "models": ("JEM", "WSO")}],
)
def test_dashboard_headline_equals_postures_headline(release, month, view):
    from coopmap.ui import data

    for m in (month, postures.shift_month(month, -6), "2021-06"):
        expected = postures.headline(release, m, **view)
        got = data.headline(release.id, m, view.get("states"), view.get("models"),
                            view.get("agency_types"))
        assert got == expected


def test_bar_hovers_give_whole_numbers_and_ranked_sources_start_at_the_edge():
    """An average daily population hovers as "12,922", not "12,921.6333333"; a ranked chart's
    source line starts at the figure's edge, not under the bars beside the names (on a phone
    that cut it), and sits below the axis title."""
    monthly = pd.DataFrame({"month": ["2026-01", "2026-01"], "adp": [12921.6333, 40.5],
                            "series": ["IGSA", "CDF"]})
    fig = figures.stacked_bars(monthly, x="month", y="adp", colour="series",
                               categories={"IGSA": "IGSA", "CDF": "CDF"},
                               colours={"IGSA": "#000000", "CDF": "#FFFFFF"}, title="T",
                               subtitle="S", source="Src", y_title="People")
    assert all(":,.0f}" in trace.hovertemplate for trace in fig.data)
    ranked = pd.DataFrame({"name": ["Northern Mariana Islands", "Texas"], "adp": [1.5, 7980.2]})
    fig = figures.ranked_bars(ranked, label="name", value="adp", title="T", subtitle="S",
                              source="Src", value_title="People on an average day")
    assert ":,.0f}" in fig.data[0].hovertemplate
    [source] = [a for a in fig.layout.annotations if a.text == "Src"]
    margin = fig.layout.margin.l
    assert margin >= 6 * len("Northern Mariana Islands")  # the longest name has its room
    assert source.xshift == -(margin - 10)
    no_title = figures.ranked_bars(ranked, label="name", value="adp", title="T", subtitle="S",
                                   source="Src")
    assert fig.layout.margin.b > no_title.layout.margin.b  # the axis title gets its own row
