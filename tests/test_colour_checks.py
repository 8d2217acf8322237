"""Every map layer's legend stays distinct for readers with protanopia, deuteranopia and
tritanopia (Machado 2009 simulation), "unknown" included; text colours meet WCAG contrast."""

from __future__ import annotations

import tomllib
from pathlib import Path

import pytest

from coopmap import colour_checks as cc
from coopmap import figures, schema

ROOT = Path(__file__).resolve().parents[1]


def test_the_simulation_keeps_white_and_black_and_merges_what_it_should():
    for kind in cc.KINDS:
        assert cc.simulate("#FFFFFF", kind) == "#FFFFFF"
        assert cc.simulate("#000000", kind) == "#000000"
    red, green, blue = "#D62728", "#2CA02C", "#1F77B4"  # matplotlib's red, green, blue
    assert cc.delta_e(red, green) > 100
    # Red and green merge for deuteranopes, blue and green for tritanopes; not the reverse.
    deut = [cc.simulate(c, "deuteranopia") for c in (red, green)]
    trit = [cc.simulate(c, "tritanopia") for c in (blue, green)]
    assert cc.delta_e(*deut) < cc.MIN_DELTA_E
    assert cc.delta_e(*trit) < 20 < cc.delta_e(cc.simulate(blue, "deuteranopia"),
                                                cc.simulate(green, "deuteranopia"))
    with pytest.raises(ValueError, match="choose from"):
        cc.simulate(red, "achromatopsia")


@pytest.mark.parametrize("kind", [None, *cc.KINDS])
@pytest.mark.parametrize("layer", list(figures.LAYERS))
def test_every_pair_of_legend_colours_is_distinct(layer, kind):
    colours = dict(figures.LAYERS[layer].colours)
    assert len(set(colours.values())) == len(colours), colours  # no two entries share a colour
    closest = cc.closest_pairs(colours, kind)[0]
    assert closest[0] >= cc.MIN_DELTA_E, (layer, kind, closest)


@pytest.mark.parametrize("kind", [None, *cc.KINDS])
def test_unknown_differs_from_every_value_and_from_none(kind):
    def seen(c: str) -> str:
        return cc.simulate(c, kind) if kind else c

    unknown = seen(schema.UNKNOWN_COLOUR)
    for layer in figures.LAYERS.values():
        for code, colour in layer.colours.items():
            if colour == schema.UNKNOWN_COLOUR:
                continue
            assert cc.delta_e(unknown, seen(colour)) >= cc.MIN_DELTA_E, (layer.id, code, kind)
    # Policy layers, where unknown is the usual value, carry it in their legend.
    for dim in schema.POLICY_DIMENSIONS:
        assert figures.LAYERS[dim].colours["unknown"] == schema.UNKNOWN_COLOUR


def test_theme_text_and_its_faded_captions_meet_contrast():
    theme = tomllib.loads((ROOT / ".streamlit" / "config.toml").read_text())["theme"]
    text, background = theme["textColor"], theme["backgroundColor"]
    assert cc.contrast(text, background) >= 4.5
    # Streamlit draws captions in the text colour at 60 % opacity.
    r, g, b = (int(text[i:i + 2], 16) for i in (1, 3, 5))
    faded = "#" + "".join(f"{round(0.6 * v + 0.4 * 255):02X}" for v in (r, g, b))
    assert cc.contrast(faded, background) >= 4.5, faded
    assert cc.contrast(theme["primaryColor"], background) >= 4.5  # links and slider values


def test_map_and_card_text_colours_meet_contrast():
    js = (ROOT / "src" / "coopmap" / "ui" / "mapview.js").read_text()
    css = (ROOT / "src" / "coopmap" / "ui" / "mapview.css").read_text()
    assert 'const GREY = "#555555"' in js and cc.contrast("#555555", "#FFFFFF") >= 4.5
    assert "#555555" in css  # the tooltip's hint
    assert cc.contrast("#FFFFFF", "#0B5394") >= 4.5  # the card's "Open profile"
