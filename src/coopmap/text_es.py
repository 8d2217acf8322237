"""The Spanish catalogue: every message id of ``coopmap.text.EN`` in Spanish as written for
readers in the United States, and the Spanish words of the schema's vocabularies
(``vocab.<NAME>.<code>``).

Terms of art follow docs/glossary-es.md (with its sources): "287(g)" stays as is, and an English
term stays in parentheses where Spanish has no settled word ("solicitud de retención
(detainer)"). Data text (agency names, law names, quotes) is never translated. Placeholders
(``{month}``) are the same as in English; tests/test_language.py checks every id.
"""

from __future__ import annotations

ES: dict[str, str] = {
    # --- app frame ------------------------------------------------------------------------
    "app.title": "coopmap: cooperación local con ICE",
    "app.tagline": (
        "Cómo colaboran los condados y los estados con el control federal de inmigración (ICE)."
    ),
    "page.map": "Mapa",
    "page.profile": "Perfil del lugar",
    "page.compare": "Comparar",
    "page.trends": "Tendencias",
    "page.about": "Sobre los datos",
    "page.staff": "Personal",
    "lang.switch": "Idioma",
    "layer.model": "Acuerdos 287(g) por modelo",
    "fig.map.title.county": "{layer}, por condado",
    "fig.map.title.state": "{layer}, por estado",
    # --- issue 10 (laws): state-law readings -------------------------------------------
    "profile.law.never": (
        "{reason} antes de entrar en vigor el {effective}, así que no se aplica a ningún mes"
    ),
    # --- issue 12 (findkeep): Compare, images, map keyboard ------------------------------
    "compare.legend": (
        "Las filas marcadas con “difiere” no son iguales para los lugares a los que se aplican "
        "(no se comparan la población ni cómo se verificó una fuente). “—”: la fila no se aplica "
        "a ese lugar (un estado no tiene un solo alguacil (sheriff))."
    ),
    "compare.na": "—",
    "compare.profile": "Perfil: {place}",
}
