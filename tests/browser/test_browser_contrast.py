"""Text contrast (WCAG 2.2 AA) measured in the real page: every visible piece of text, captions
and "basis" lines included, against the background it is drawn on, at least 4.5:1 (3:1 for large
text). The map's SVG text is checked the same way."""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.browser

# For every element holding text: its colour (with alpha) composed over the first opaque
# background up the tree, and the WCAG ratio. Returns the failures.
CONTRAST_JS = """() => {
  const parse = (c) => { const m = c.match(/rgba?\\(([^)]+)\\)/); if (!m) return null;
    const p = m[1].split(/[ ,\\/]+/).filter(Boolean).map(Number);
    return [p[0], p[1], p[2], p.length > 3 ? p[3] : 1]; };
  const lin = (v) => { v /= 255; return v <= 0.04045 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4; };
  const lum = (c) => 0.2126 * lin(c[0]) + 0.7152 * lin(c[1]) + 0.0722 * lin(c[2]);
  const over = (fg, bg) => [0, 1, 2].map((i) => fg[i] * fg[3] + bg[i] * (1 - fg[3]));
  const background = (el) => {
    let layers = [];
    for (let e = el; e; e = e.parentElement) {
      const c = parse(getComputedStyle(e).backgroundColor);
      if (c && c[3] > 0) { layers.push(c); if (c[3] >= 1) break; }
    }
    let bg = [255, 255, 255];
    for (const c of layers.reverse()) bg = over(c, bg);
    return bg;
  };
  const out = [];
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  const seen = new Set();
  while (walker.nextNode()) {
    const node = walker.currentNode;
    const el = node.parentElement;
    if (!el || seen.has(el) || !node.textContent.trim()) continue;
    seen.add(el);
    const r = el.getBoundingClientRect();
    const style = getComputedStyle(el);
    if (r.width === 0 || r.height === 0 || style.visibility === 'hidden'
        || style.display === 'none' || el.closest('[aria-hidden=true]')
        || el.closest('button:disabled, [disabled], [aria-disabled=true]')) continue;
    let opacity = 1; // opacity multiplies down the tree (Streamlit fades captions so)
    for (let e = el; e; e = e.parentElement) opacity *= Number(getComputedStyle(e).opacity || 1);
    let fg;
    if (el.namespaceURI === 'http://www.w3.org/2000/svg') {
      fg = parse(style.fill) || [0, 0, 0, 1];
    } else {
      fg = parse(style.color);
    }
    if (!fg || opacity === 0) continue; // not shown (the slider's ends until hovered)
    const bg = el.namespaceURI === 'http://www.w3.org/2000/svg' ? [255, 255, 255] : background(el);
    const shown = over([fg[0], fg[1], fg[2], fg[3] * opacity], bg);
    const ratioOf = (p, q) => { const [a, b] = [lum(p), lum(q)].sort((x, y) => y - x);
                                return (a + 0.05) / (b + 0.05); };
    let ratio = ratioOf(shown, bg);
    // Text in its own box's colour is drawn outside that box (the slider's value above its
    // thumb): it stands on the page.
    if (ratio < 1.01) ratio = ratioOf(over([fg[0], fg[1], fg[2], fg[3] * opacity],
                                           [255, 255, 255]), [255, 255, 255]);
    const size = parseFloat(style.fontSize);
    const bold = Number(style.fontWeight) >= 700;
    const need = size >= 24 || (bold && size >= 18.66) ? 3 : 4.5;
    if (ratio < need) out.push({text: node.textContent.trim().slice(0, 60),
                                ratio: Math.round(ratio * 100) / 100, need,
                                tag: el.tagName, color: style.color || style.fill});
  }
  return out;
}"""

PAGES = ["/?month=2025-06", "/profile?place=48201", "/compare?places=48201&places=12086",
         "/trends", "/about"]


@pytest.mark.parametrize("path", PAGES)
def test_every_text_meets_contrast(server, laptop, path):
    laptop.goto(server + path)
    laptop.get_by_test_id("stCaptionContainer").first.wait_for(timeout=60000)
    laptop.wait_for_timeout(3000)
    failures = laptop.evaluate(CONTRAST_JS)
    caption = laptop.get_by_test_id("stCaptionContainer").first
    assert caption.evaluate("e => getComputedStyle(e).color")  # captions are measured too
    assert failures == [], "\n".join(map(str, failures))
