"""Figure builders: a DataFrame and column names in, a figure out.

No I/O and no Streamlit here. Every figure carries its own title, subtitle, legend and source
line, so a downloaded image stands on its own. Maps are a ``map_spec`` dict that the app's own
SVG map draws (plotly's geo maps took 4.8 s to paint the county map: see docs/performance.md);
the charts are plotly figures. Categorical legends follow the contract's order (the
``coopmap.schema`` dicts).
"""

from __future__ import annotations

import re
import textwrap
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import pandas as pd
import plotly.graph_objects as go

from coopmap import schema

FONT = "Source Sans Pro, Arial, sans-serif"
TEXT_COLOUR = "#262730"
BORDER_COLOUR = "#FFFFFF"
HIGHLIGHT_COLOUR = "#CC79A7"  # reddish purple: stands out on every model colour, black too
SOURCE_WRAP = 62  # characters: a source line must stay readable on a 390 px phone

# Agreement-count bins for the "number of agreements" layer: code = lower bound.
COUNT_BINS: dict[str, tuple[int, int | None]] = {
    "0": (0, 0),
    "1": (1, 1),
    "2": (2, 3),
    "4": (4, 9),
    "10": (10, None),
}
# Sequential, colour-blind safe (viridis-like, dark = more); 0 uses the contract's "none" colour.
COUNT_COLOURS: dict[str, str] = {
    "0": schema.NONE_COLOUR,
    "1": "#FDE725",
    "2": "#5EC962",
    "4": "#21918C",
    "10": "#3B528B",
}

# People held for ICE in local-agreement facilities (ADP): code = lower bound. "0" is "none
# listed" (the contract's none colour); "no_data" (a month without daily counts) is unknown grey.
DETENTION_ADP_BINS: dict[str, tuple[float, float | None]] = {
    "0": (0, 0),
    "1": (0, 10),
    "10": (10, 50),
    "50": (50, 250),
    "250": (250, None),
}
DETENTION_ADP_COLOURS: dict[str, str] = {
    "0": schema.NONE_COLOUR,
    "1": "#FDE725",
    "10": "#5EC962",
    "50": "#21918C",
    "250": "#3B528B",
    "no_data": schema.UNKNOWN_COLOUR,
}
DETENTION_LAYERS = ("detention", "detention_adp")

# A month axis ticked by year: numbers read the same in every language (plotly would write
# month names in English).
YEAR_TICKS: dict[str, str] = {"dtick": "M12", "tickformat": "%Y"}

IMAGE_PRESETS: dict[str, tuple[int, int]] = {"landscape": (1200, 675), "square": (1080, 1080)}
IMAGE_SCALE = 2
HEX_COLOUR = re.compile(r"#[0-9A-Fa-f]{6}")


@dataclass(frozen=True)
class Layer:
    """A map layer: which posture column it colours and with which categories and colours."""

    id: str
    column: str
    categories: Mapping[str, str]
    colours: Mapping[str, str]
    basis_column: str | None = None


LAYERS: dict[str, Layer] = {
    "model": Layer("model", "model_category", schema.MODEL_CATEGORIES,
                   schema.MODEL_CATEGORY_COLOURS),
    "count": Layer("count", "n_agreements", {k: k for k in COUNT_BINS}, COUNT_COLOURS),
    "stance": Layer("stance", "state_law_stance", schema.STANCES, schema.STANCE_COLOURS),
    **{
        dim: Layer(dim, dim, schema.POLICY_VALUES, schema.POLICY_VALUE_COLOURS, f"{dim}_basis")
        for dim in schema.POLICY_DIMENSIONS
    },
    "federal": Layer("federal", "federal_list", schema.FEDERAL_LAYER_CATEGORIES,
                     schema.FEDERAL_LAYER_COLOURS),
    "detention": Layer("detention", "detention_category", schema.DETENTION_CATEGORIES,
                       schema.DETENTION_CATEGORY_COLOURS),
    "detention_adp": Layer("detention_adp", "adp_local",
                           {k: k for k in DETENTION_ADP_COLOURS}, DETENTION_ADP_COLOURS),
}


def count_bin(n: pd.Series) -> pd.Series:
    """Bin agreement counts into COUNT_BINS codes; a missing count stays missing."""
    out = pd.Series(pd.NA, index=n.index, dtype="str")
    for code, (low, high) in COUNT_BINS.items():
        inside = n >= low if high is None else (n >= low) & (n <= high)
        out[inside.fillna(False).astype(bool)] = code
    return out


def layer_categories(df: pd.DataFrame, layer: str) -> pd.Series:
    """The category code of every row for ``layer``."""
    if layer not in LAYERS:
        raise ValueError(f"layer {layer!r} is unknown; choose from {list(LAYERS)}")
    spec = LAYERS[layer]
    values = df[spec.column]
    if layer == "count":
        return count_bin(values)
    if layer == "detention_adp":
        return detention_adp_bin(values)
    if layer == "federal":
        # Named itself wins; else "a city in it is named"; else not named.
        city = df["federal_list_city"] != "not_listed"
        values = values.astype("str").where((values != "not_listed") | ~city, "city")
    return values.astype("str")


def detention_adp_bin(adp: pd.Series) -> pd.Series:
    """Bin local-agreement ADP into DETENTION_ADP_BINS codes; a month without data (missing ADP)
    is "no_data", never 0."""
    adp = pd.to_numeric(adp, errors="coerce")
    out = pd.Series("no_data", index=adp.index, dtype="str")
    for code, (low, high) in DETENTION_ADP_BINS.items():
        if high == 0:
            inside = adp == 0
        elif high is None:
            inside = adp >= low
        else:
            inside = (adp > low if low == 0 else adp >= low) & (adp < high)
        out[inside.fillna(False).astype(bool)] = code
    return out


def _require_columns(df: pd.DataFrame, *names: str) -> None:
    for name in names:
        if name not in df.columns:
            raise ValueError(f"column {name!r} is not in the frame; columns are {list(df.columns)}")


def plain(text: object) -> str:
    """Text as plotly shows it, never as markup: plotly reads ``<a href>``, ``<span style>``,
    ``<b>``… in every label, title and hover text, and decodes entities after splitting out
    the tags, so escaping ``& < >`` makes data text (agency names) display exactly as typed."""
    return str(text).replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _plain_list(values) -> list:
    return [plain(v) if isinstance(v, str) else v for v in values]


def wrap(text: str, width: int = SOURCE_WRAP) -> str:
    """Break a long line for plotly (which never wraps text itself); the text is escaped
    (``plain``), the only markup is the line breaks."""
    return "<br>".join(plain(line) for line in textwrap.wrap(text, width)) if text else ""


def _frame(fig: go.Figure, title: str, subtitle: str, source: str, *, height: int,
           bottom: int, narrow: bool = False, left: int = 10) -> go.Figure:
    """Title, subtitle and source line inside the figure, so the picture stands alone.

    ``narrow``: lines short enough for a 390 px phone (plotly never wraps text itself), the
    title below the tool buttons' row (which would cover it). Each subtitle line after the first
    and each source line after the third (Spanish runs about a fifth longer than English) gets
    its room: the figure grows rather than the text overlapping the bars or being cut.
    ``left``: a fixed left margin (labels beside the bars); the source line starts at the
    figure's edge all the same, so that it keeps the whole width on a phone."""
    title_text = wrap(title, 34) if narrow else plain(title)
    title_lines = title_text.count("<br>") + 1
    sub, src = wrap(subtitle, 44 if narrow else 64), wrap(source)
    extra_top = 18 * max(0, sub.count("<br>") + 1 - 1) if sub else 0
    extra_bottom = 13 * max(0, src.count("<br>") + 1 - 3) if src else 0
    top = 78 + (22 * (title_lines - 1) + 40 if narrow else 0) + extra_top
    bottom += extra_bottom
    total = height + (top - 78) + extra_bottom
    fig.update_layout(
        title={
            "text": title_text,
            "subtitle": {"text": sub, "font": {"size": 13, "color": "#555555"}},
            "x": 0.01,
            "xanchor": "left",
            "y": 1 - (46 / total if narrow else 0.03),
            "yanchor": "top",
            "font": {"size": 18, "color": TEXT_COLOUR},
        },
        font={"family": FONT, "color": TEXT_COLOUR},
        paper_bgcolor="#FFFFFF",
        plot_bgcolor="#FFFFFF",
        height=total,
        margin={"l": left, "r": 10, "t": top, "b": bottom},
    )
    fig.add_annotation(
        text=src, showarrow=False, xref="paper", yref="paper", x=0, y=0,
        xanchor="left", yanchor="top", align="left", font={"size": 10, "color": "#555555"},
        # The source sits at the foot of the figure, under any legend or axis labels.
        yshift=-(bottom - extra_bottom - 46), xshift=-(left - 10),
    )
    return fig


def map_spec(
    df: pd.DataFrame,
    *,
    locations: str,
    category: str,
    categories: Mapping[str, str],
    colours: Mapping[str, str],
    hover_name: str,
    hover_data: Mapping[str, str],
    title: str,
    subtitle: str,
    source: str,
    credit: str = "",
    focus: Sequence[str] = (),
    highlight: Sequence[str] = (),
) -> dict[str, Any]:
    """What the browser map (``coopmap.ui.mapview``) draws: a categorical choropleth.

    ``df[locations]`` holds FIPS ids of the shapes; ``df[category]`` holds codes of
    ``categories`` (a missing or unlisted code raises: nothing is silently painted as something
    else). The legend lists every category in ``categories`` order, with its colour and the
    border drawn around its areas. Each row is ``[id, legend index, hover name, *hover values]``
    and the hover shows the name, then one ``label: value`` line per ``hover_data`` item
    (column -> label). All text is drawn as text, never read as markup. ``focus`` lists state
    FIPS to zoom to; ``highlight`` lists ids drawn with a heavy outline (a profile's place).
    ``credit`` (the data's terms) is drawn under the source line of a downloaded picture.
    """
    _require_columns(df, locations, category, hover_name, *hover_data)
    missing_colour = [c for c in categories if c not in colours]
    if missing_colour:
        raise ValueError(f"categories {missing_colour} have no colour; colours: {list(colours)}")
    bad_colour = [c for c in categories if not HEX_COLOUR.fullmatch(colours[c])]
    if bad_colour:
        raise ValueError(f"categories {bad_colour} have colours that are not #RRGGBB")
    codes = df[category]
    unknown = sorted(set(codes.dropna().astype(str)) - set(categories))
    if codes.isna().any() or unknown:
        bad = unknown or ["<missing>"]
        raise ValueError(
            f"column {category!r} has values {bad} outside the categories {list(categories)}"
        )
    rank = {code: i for i, code in enumerate(categories)}
    values = df[[hover_name, *hover_data]].astype("str")
    blank = [c for c in values.columns if values[c].isna().any()]
    if blank:  # the caller words a missing value ("unknown"): a blank would read as nothing
        raise ValueError(f"hover columns {blank} have missing values; word them first")
    rows = [
        [loc, rank[code], *vals]
        for loc, code, vals in zip(df[locations].astype("str"), codes.astype("str"),
                                   values.to_numpy().tolist(), strict=True)
    ]
    return {
        "title": title,
        "subtitle": subtitle,
        "source": source,
        "credit": credit,
        "legend": [
            [label, colours[code],
             "#D0D0D0" if colours[code] == schema.NONE_COLOUR else BORDER_COLOUR]
            for code, label in categories.items()
        ],
        "hover_labels": list(hover_data.values()),
        "rows": rows,
        "focus": list(focus),
        "highlight": list(highlight),
        "highlight_colour": HIGHLIGHT_COLOUR,
    }


def stacked_bars(
    df: pd.DataFrame,
    *,
    x: str,
    y: str,
    colour: str,
    categories: Mapping[str, str],
    colours: Mapping[str, str],
    title: str,
    subtitle: str,
    source: str,
    x_title: str = "",
    y_title: str = "",
    height: int = 470,
    x_labels: Mapping[str, str] | None = None,
) -> go.Figure:
    """Bars of ``y`` per ``x``, stacked by ``colour`` codes in ``categories`` order.

    ``x_labels`` ({month: words}, in the reader's language) makes ``x`` a month axis: ticks are
    years (no month names, which plotly would write in English) and the hover says the month
    in those words."""
    _require_columns(df, x, y, colour)
    fig = go.Figure()
    for rank, (code, name) in enumerate(categories.items()):
        rows = df[df[colour] == code]
        where = "%{x}"
        extra = {}
        if x_labels is not None:
            extra["customdata"] = _plain_list([x_labels.get(v, v) for v in rows[x]])
            where = "%{customdata}"
        fig.add_trace(
            go.Bar(
                x=_plain_list(rows[x].tolist()),
                y=rows[y].tolist(),
                name=plain(name),
                marker_color=colours[code],
                legendrank=rank + 1,
                hovertemplate=f"{plain(name)}<br>{where}: %{{y:,.0f}}<extra></extra>",
                **extra,
            )
        )
    xaxis: dict[str, Any] = {"title": plain(x_title), "automargin": True}
    if x_labels is not None:
        xaxis.update(YEAR_TICKS)
    fig.update_layout(
        barmode="stack",
        xaxis=xaxis,
        yaxis={"title": plain(y_title), "rangemode": "tozero", "gridcolor": "#EEEEEE",
               "automargin": True},
        # Stacked bars would reverse the legend; keep the contract's order.
        legend={"orientation": "h", "x": 0, "y": -0.1, "yanchor": "top",
                "traceorder": "normal"},
    )
    # Room for the legend (on a phone each long name takes its own row), then the source line;
    # titles short enough for a phone, below the tool buttons.
    bottom = max(150, 80 + 22 * len(categories))
    return _frame(fig, title, subtitle, source, height=height + bottom - 150, bottom=bottom,
                  narrow=True)


def ranked_bars(
    df: pd.DataFrame,
    *,
    label: str,
    value: str,
    title: str,
    subtitle: str,
    source: str,
    colour: str = "#0072B2",
    value_title: str = "",
) -> go.Figure:
    """Horizontal bars, largest on top."""
    _require_columns(df, label, value)
    rows = df.sort_values(value, ascending=True)
    fig = go.Figure(
        go.Bar(
            x=rows[value].tolist(),
            y=_plain_list(rows[label].tolist()),
            orientation="h",
            marker_color=colour,
            hovertemplate="%{y}: %{x:,.0f}<extra></extra>",
        )
    )
    # The names beside the bars get a fixed margin (about 6.2 px a character at 11 px), so the
    # source line can start at the figure's edge instead of under the bars (cut on a phone).
    names = max((len(str(v)) for v in rows[label]), default=0)
    left = 14 + round(6.2 * names)
    fig.update_layout(
        xaxis={"title": plain(value_title), "gridcolor": "#EEEEEE"},
        yaxis={"automargin": False, "tickfont": {"size": 11}},
        showlegend=False,
    )
    # Below the bars: tick labels, the axis title if any, then the source line.
    bottom = 110 if value_title else 80
    return _frame(fig, title, subtitle, source,
                  height=max(300, 18 * len(rows) + 160) + bottom - 80, bottom=bottom,
                  narrow=True, left=left)


def timeline(
    df: pd.DataFrame,
    *,
    label: str,
    start: str,
    end: str,
    colour: str,
    categories: Mapping[str, str],
    colours: Mapping[str, str],
    title: str,
    subtitle: str,
    source: str,
    month_labels: Mapping[str, str] | None = None,
    span: str = "%{customdata[0]} to %{customdata[1]}",
    period: tuple[str, str] | None = None,
    note: str | None = None,
) -> go.Figure:
    """One horizontal bar per row from month ``start`` to month ``end`` (inclusive), by category.

    The time axis shows years only; the hover shows ``span`` with the months in
    ``month_labels`` (the reader's language) when given, then the row's ``note`` column when
    given and not empty ("New MOA signed 2025-12-09."). The axis spans ``period`` (first and
    last month) when given, else the bars."""
    _require_columns(df, label, start, end, colour)
    fig = go.Figure()
    labels = month_labels or {}
    first = pd.to_datetime(df[start] + "-01")
    last = pd.to_datetime(df[end] + "-01") + pd.offsets.MonthBegin(1)
    notes = (df[note].to_numpy(dtype=object) if note is not None
             else pd.Series("", index=df.index).to_numpy(dtype=object))
    for rank, (code, name) in enumerate(categories.items()):
        mask = df[colour] == code
        if not mask.any():
            continue
        widths = (last[mask] - first[mask]).dt.total_seconds() * 1000
        fig.add_trace(
            go.Bar(
                base=first[mask].dt.strftime("%Y-%m-%d").tolist(),
                x=widths.tolist(),
                y=_plain_list(df.loc[mask, label].tolist()),
                orientation="h",
                name=plain(name),
                marker_color=colours[code],
                legendrank=rank + 1,
                customdata=[[plain(labels.get(a, a)), plain(labels.get(b, b)),
                             f" · {plain(n)}" if isinstance(n, str) and n else ""]
                            for a, b, n in zip(df.loc[mask, start], df.loc[mask, end],
                                               notes[mask.to_numpy()], strict=True)],
                hovertemplate="%{y}<br>" + span + "%{customdata[2]}<extra>" + plain(name)
                              + "</extra>",
            )
        )
    # Each agreement's name sits above its bar, inside the plot, so that on a phone the bars
    # keep the whole width (names as axis labels left them a sliver beside them).
    fig.update_traces(width=0.45)
    for name in dict.fromkeys(df[label].tolist()):
        fig.add_annotation(text=plain(name), xref="paper", x=0, xanchor="left", yref="y",
                           y=name, showarrow=False,
                           font={"size": 11, "color": TEXT_COLOUR})
    extent = period or (df[start].min(), df[end].max())
    x_range = [f"{extent[0]}-01",
               (pd.Timestamp(f"{extent[1]}-01") + pd.offsets.MonthBegin(1)).strftime("%Y-%m-%d")]
    fig.update_layout(
        barmode="overlay",
        # Year labels centred on their year: the first one stays inside the figure's edge.
        xaxis={"type": "date", "gridcolor": "#EEEEEE", **YEAR_TICKS, "ticklabelmode": "period",
               "range": x_range},
        yaxis={"autorange": "reversed", "showticklabels": False, "showgrid": False},
        legend={"orientation": "h", "x": 0, "y": -0.08, "yanchor": "top",
                "traceorder": "normal"},
    )
    n = df[label].nunique()
    fig = _frame(fig, title, subtitle, source, height=max(300, 40 * n + 230), bottom=150,
                 narrow=True)
    # Each name's foot just above its bar: half a bar (0.45 of a row's height) and 2 px from
    # the row's centre (a fixed shift put the name across the top of a thick bar).
    layout = fig.layout
    row = (layout.height - layout.margin.t - layout.margin.b) / max(n, 1)
    fig.update_annotations(selector={"yref": "y"}, yanchor="bottom",
                           yshift=round(0.45 * row / 2 + 2, 1))
    return fig


def image_sizes(preset: str) -> tuple[int, int]:
    """Width and height (CSS pixels, drawn at IMAGE_SCALE) of an image preset."""
    if preset not in IMAGE_PRESETS:
        raise ValueError(f"preset {preset!r} is unknown; choose from {list(IMAGE_PRESETS)}")
    return IMAGE_PRESETS[preset]


def chart_config(*, preset: str = "landscape", filename: str = "coopmap") -> dict[str, Any]:
    """Plotly config: the camera button downloads a PNG at 2x the preset size."""
    width, height = image_sizes(preset)
    config: dict[str, Any] = {
        "displaylogo": False,
        "scrollZoom": False,
        "modeBarButtonsToRemove": ["select2d", "lasso2d", "zoomInGeo", "zoomOutGeo",
                                   "resetGeo", "hoverClosestGeo"],
        "toImageButtonOptions": {
            "format": "png",
            "filename": f"{filename}-{preset}",
            "width": width,
            "height": height,
            "scale": IMAGE_SCALE,
        },
    }
    return config
