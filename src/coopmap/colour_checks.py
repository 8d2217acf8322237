"""Colour checks for readers with colour-vision deficiencies and for text contrast (WCAG 2.2).

* ``simulate(hex, kind)``: the colour as seen with protanopia, deuteranopia or tritanopia, by
  Machado, Oliveira & Fernandes (2009), "A Physiologically-based Model for Simulation of Color
  Vision Deficiency", IEEE TVCG 15(6), severity 1.0 matrices, applied to linear RGB.
* ``delta_e(a, b)``: CIE76 colour difference in CIELAB (D65). 2.3 is a just-noticeable
  difference; ``MIN_DELTA_E`` is what two legend entries of one map must keep apart.
* ``contrast(fg, bg)``: the WCAG contrast ratio (text needs at least 4.5:1).
"""

from __future__ import annotations

KINDS = ("protanopia", "deuteranopia", "tritanopia")
MIN_DELTA_E = 10.0  # clearly different at a glance on a map, not merely noticeable

_MACHADO_2009: dict[str, tuple[tuple[float, float, float], ...]] = {
    "protanopia": ((0.152286, 1.052583, -0.204868),
                   (0.114503, 0.786281, 0.099216),
                   (-0.003882, -0.048116, 1.051998)),
    "deuteranopia": ((0.367322, 0.860646, -0.227968),
                     (0.280085, 0.672501, 0.047413),
                     (-0.011820, 0.042940, 0.968881)),
    "tritanopia": ((1.255528, -0.076749, -0.178779),
                   (-0.078411, 0.930809, 0.147602),
                   (0.004733, 0.691367, 0.303900)),
}


def _rgb(hex_colour: str) -> tuple[float, float, float]:
    h = hex_colour.lstrip("#")
    if len(h) != 6:
        raise ValueError(f"{hex_colour!r} is not #RRGGBB")
    return tuple(int(h[i:i + 2], 16) / 255 for i in (0, 2, 4))  # type: ignore[return-value]


def _linear(c: float) -> float:
    return c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4


def _gamma(c: float) -> float:
    c = min(1.0, max(0.0, c))
    return 12.92 * c if c <= 0.0031308 else 1.055 * c ** (1 / 2.4) - 0.055


def simulate(hex_colour: str, kind: str) -> str:
    """The colour as seen with ``kind`` (one of KINDS), as #RRGGBB."""
    if kind not in _MACHADO_2009:
        raise ValueError(f"kind {kind!r} is unknown; choose from {list(KINDS)}")
    lin = [_linear(c) for c in _rgb(hex_colour)]
    out = [sum(m * c for m, c in zip(row, lin, strict=True)) for row in _MACHADO_2009[kind]]
    return "#" + "".join(f"{round(_gamma(c) * 255):02X}" for c in out)


def _lab(hex_colour: str) -> tuple[float, float, float]:
    r, g, b = (_linear(c) for c in _rgb(hex_colour))
    x = (0.4124 * r + 0.3576 * g + 0.1805 * b) / 0.95047
    y = 0.2126 * r + 0.7152 * g + 0.0722 * b
    z = (0.0193 * r + 0.1192 * g + 0.9505 * b) / 1.08883

    def f(t: float) -> float:
        return t ** (1 / 3) if t > (6 / 29) ** 3 else t / (3 * (6 / 29) ** 2) + 4 / 29

    fx, fy, fz = f(x), f(y), f(z)
    return 116 * fy - 16, 500 * (fx - fy), 200 * (fy - fz)


def delta_e(a: str, b: str) -> float:
    """CIE76 difference of two #RRGGBB colours."""
    la, lb = _lab(a), _lab(b)
    return sum((p - q) ** 2 for p, q in zip(la, lb, strict=True)) ** 0.5


def luminance(hex_colour: str) -> float:
    r, g, b = (_linear(c) for c in _rgb(hex_colour))
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def contrast(fg: str, bg: str) -> float:
    """WCAG 2.2 contrast ratio of two #RRGGBB colours (1 to 21)."""
    hi, lo = sorted((luminance(fg), luminance(bg)), reverse=True)
    return (hi + 0.05) / (lo + 0.05)


def closest_pairs(colours: dict[str, str], kind: str | None = None) -> list[tuple[float, str, str]]:
    """Every pair of ``colours`` (code -> #RRGGBB) with its difference, as seen with ``kind``
    (None: normal vision), closest first."""
    seen = {k: simulate(c, kind) if kind else c for k, c in colours.items()}
    codes = list(seen)
    pairs = [(delta_e(seen[a], seen[b]), a, b)
             for i, a in enumerate(codes) for b in codes[i + 1:]]
    return sorted(pairs)
