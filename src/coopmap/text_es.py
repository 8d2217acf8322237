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
    "release.missing": (
        "Los datos no están disponibles en este momento, así que no se puede mostrar el mapa. "
        "Inténtelo de nuevo más tarde."
    ),
    "release.missing_staff": (
        "No se encontró ningún conjunto de datos publicado. Personal: ejecuten `coopmap build`."
    ),
    "release.broken": (
        "No se pudieron leer los datos, así que no se puede mostrar esta página. Inténtelo de "
        "nuevo más tarde; ya se avisó al personal del sitio."
    ),
    "error.page": (
        "Algo salió mal en esta página. Vuelva a cargarla o inténtelo de nuevo más tarde."
    ),
    "release.line": "Conjunto de datos {release} · lista de ICE del {as_of}",
    "release.pinned": (
        "Este enlace muestra el conjunto de datos {release} (lista de ICE del {as_of}), tal como "
        "se compartió. El conjunto de datos actual es {current}."
    ),
    "release.open_current": "Abrir esta vista con los datos actuales",
    "release.gone": (
        "El conjunto de datos con el que se hizo este enlace ({release}) ya no se conserva, así "
        "que se muestra el actual, {current}: las cifras pueden diferir de lo que se compartió."
    ),
    "release.unreadable": (
        "El conjunto de datos con el que se hizo este enlace ({release}) lo generó una versión "
        "anterior de coopmap que este sitio ya no puede mostrar, así que se muestra el actual, "
        "{current}: las cifras pueden diferir de lo que se compartió."
    ),
    "url.ignored": "Una parte de este enlace no era válida y se ignoró: {items}.",
    "copy_link": "Enlace a esta vista (cópielo para compartirla)",
    "copy_link.help": "Este enlace vuelve a abrir exactamente esta vista.",
    "caveat.short": (
        "La lista de ICE más reciente aquí es del {as_of}; el programa ha crecido desde entonces "
        "(un recuento público halló unos 2,510 acuerdos activos en octubre de 2026). "
        "“Se desconoce” quiere decir que ninguna fuente disponible lo dice; no quiere decir “no”."
    ),
    # --- filters ----------------------------------------------------------------------------
    "filter.level": "Mostrar",
    "filter.level.county": "Condados",
    "filter.level.state": "Estados",
    "filter.layer": "Capa del mapa",
    "filter.more": "Filtrar por estado, modelo 287(g) o tipo de agencia",
    "filter.states": "Estados",
    "filter.states.placeholder": "Todos los estados",
    "filter.models": "Modelos 287(g)",
    "filter.models.placeholder": "Todos los modelos",
    "filter.agency_types": "Tipos de agencia",
    "filter.agency_types.placeholder": "Todos los tipos de agencia",
    "filter.month": "Mes",
    "filter.month.help": (
        "El mapa muestra el programa tal como estaba en la lista de ICE de ese mes."
    ),
    "image.landscape": "Horizontal 1200×675",
    "image.square": "Cuadrada 1080×1080",
    "image.download": "Descargar imagen: {size}",
    "image.help": (
        "Un PNG del doble de este tamaño, con título, leyenda, fecha y fuente dentro de la imagen."
    ),
    # --- layers ------------------------------------------------------------------------------
    "layer.model": "Acuerdos 287(g) por modelo",
    "layer.count": "Número de acuerdos 287(g)",
    "layer.stance": "Ley estatal sobre la cooperación",
    "layer.detainer_holds": "Retención por solicitudes de ICE (detainers)",
    "layer.release_notification": "Aviso a ICE de la fecha de salida",
    "layer.jail_access": "Acceso de ICE a la cárcel",
    "layer.federal": "Nombrado en una lista federal de “santuarios” de 2025",
    "layer.detention": "Detención de ICE en cárceles locales",
    "map.detention.no_month": (
        "La detención de ICE por mes se conoce de {first} a {last} (los recuentos diarios del "
        "Deportation Data Project); este mes aparece como “sin datos mensuales”."
    ),
    "map.detention.go": "Mostrar {month}",
    "layer.detention_adp": (
        "Personas retenidas para ICE en cárceles locales (promedio diario)"
    ),
    "detention_adp.0": "Ninguna registrada",
    "detention_adp.1": "Menos de 10",
    "detention_adp.10": "De 10 a 49",
    "detention_adp.50": "De 50 a 249",
    "detention_adp.250": "250 o más",
    "detention_adp.no_data": "Sin datos mensuales para este mes",
    "count.0": "Ninguno",
    "count.1": "1",
    "count.2": "De 2 a 3",
    "count.4": "De 4 a 9",
    "count.10": "10 o más",
    # --- map figure text ------------------------------------------------------------------------
    "fig.map.title.county": "{layer}, por condado",
    "fig.map.title.state": "{layer}, por estado",
    "fig.map.subtitle": "{month}{filters}",
    "fig.filters.states": "estados: {states}",
    "fig.filters.models": "modelos: {models}",
    "fig.filters.agency_types": "agencias: {agency_types}",
    "fig.source": (
        "Fuente: listas de agencias participantes en 287(g) de ICE (al {as_of}); población del "
        "Censo 2024. coopmap, conjunto de datos {release}."
    ),
    "fig.source.federal": (
        "Fuente: lista del DHS del 29 de mayo de 2025 (retirada) y lista del DOJ del 5 de "
        "agosto de 2025: acusaciones, no hallazgos. coopmap, conjunto de datos {release}."
    ),
    "fig.source.policy": (
        "Fuente: lecturas de leyes estatales vigentes en {month}: {settled} de {states} estados "
        "lo resuelven ({checked}, {secondary} de una fuente "
        "secundaria, {draft}){staff}; en los demás, se desconoce. "
        "coopmap, conjunto de datos {release}."
    ),
    "fig.source.stance": (
        "Fuente: lecturas de leyes estatales vigentes en {month}: {settled} de {states} estados "
        "tienen una ley ({checked}, {secondary} de una fuente "
        "secundaria, {draft}). coopmap, conjunto de datos {release}."
    ),
    "fig.source.checked.one": "1 cotejada con el texto de la ley",
    "fig.source.checked": "{n} cotejadas con el texto de la ley",
    "fig.source.draft.one": "1 borrador sin verificar",
    "fig.source.draft": "{n} borradores sin verificar",
    "fig.source.staff.one": "; 1 lugar según un hallazgo del personal",
    "fig.source.staff": "; {n} lugares según hallazgos del personal",
    "legend.all_unknown": (
        "Se desconoce en todo lo mostrado: ninguna ley estatal vigente lo resuelve"
    ),
    "fig.subtitle.all_unknown": "ninguna ley estatal vigente en {month} lo resuelve aquí",
    "hover.agreements.label": "Acuerdos 287(g)",
    "hover.detention.label": "Detención de ICE (acuerdos locales)",
    "fig.source.detention": (
        "Fuente: Deportation Data Project, recuentos diarios de detención de ICE por centro "
        "(promedio mensual); tipos de centro según los libros de estadísticas de detención de "
        "ICE (el más reciente, {workbook}). coopmap, conjunto de datos {release}."
    ),
    "fig.source.detention_year": (
        "Fuente: libros de estadísticas de detención de ICE; promedios mensuales de los "
        "recuentos diarios del Deportation Data Project, de {first} a {last}. coopmap, conjunto "
        "de datos {release}."
    ),
    "detention.series.federal_private": "Centros federales, privados o estatales",
    "detention.series.unknown": "Centros de tipo desconocido",
    "detention.words.no_data": "Sin datos mensuales para este mes",
    "detention.words.none_listed": "Ningún centro registrado",
    "detention.words.other_only.one": (
        "Solo un centro federal, privado u otro: {adp} personas al día"
    ),
    "detention.words.local": "{types}: {n} centros, {adp} personas al día",
    "detention.words.local.one": "{types}: 1 centro, {adp} personas al día",
    "detention.words.other_only": (
        "Solo centros federales, privados u otros: {n} centros, {adp} personas al día"
    ),
    "detention.sentence.igsa.county": (
        "La cárcel de {county} retuvo en promedio a {n} personas para ICE en el año fiscal "
        "{fy} bajo un acuerdo entre el condado e ICE (IGSA; libro de ICE {file}, datos hasta el "
        "{pull})."
    ),
    "detention.sentence.igsa": (
        "{name} retuvo en promedio a {n} personas para ICE en el año fiscal {fy} bajo el "
        "acuerdo de un gobierno local con ICE (IGSA; libro de ICE {file}, datos hasta el {pull})."
    ),
    "detention.sentence.usms_iga.county": (
        "La cárcel de {county} retuvo en promedio a {n} personas para ICE en el año fiscal "
        "{fy} bajo el acuerdo de la cárcel del condado con el Servicio de Alguaciles de EE. UU. "
        "(U.S. Marshals Service), que ICE utiliza (USMS IGA; libro de ICE {file}, datos hasta el "
        "{pull})."
    ),
    "detention.sentence.usms_iga": (
        "{name} retuvo en promedio a {n} personas para ICE en el año fiscal {fy} bajo su "
        "acuerdo con el Servicio de Alguaciles de EE. UU. (U.S. Marshals Service), que ICE "
        "utiliza (USMS IGA; libro de ICE {file}, datos hasta el {pull})."
    ),
    "detention.sentence.digsa": (
        "{name} retuvo en promedio a {n} personas para ICE en el año fiscal {fy}; es un centro "
        "que se usa solo para ICE bajo un acuerdo exclusivo de un gobierno local, a menudo "
        "administrado por una empresa (DIGSA; libro de ICE {file}, datos hasta el {pull})."
    ),
    "detention.col.facility": "Centro",
    "detention.col.type": "Tipo",
    "detention.col.adp": "Personas retenidas en un día promedio",
    "detention.col.period": "Período",
    "detention.col.period.value": "Año fiscal {fy} hasta el {pull}",
    "detention.col.period.none": "No figura en los libros de ICE (solo recuentos diarios)",
    "detention.col.source": "Fuente",
    "detention.col.source.ddp": "Recuentos diarios del Deportation Data Project",
    "detention.col.trend": "Mensual, oct. 2022 – mar. 2026",
    "hover.models.label": "Modelos",
    "hover.counties_with_287g.label": "Condados con un acuerdo",
    "hover.stance.label": "Ley estatal",
    "hover.stance.laws": "{stance} · leyes vigentes: {laws} · {check}",
    "hover.stance.value": "{stance} · {check}",
    "hover.policy.value": "{value} · {basis} {source} · {check}",
    "hover.policy.unknown": "Se desconoce: ninguna ley estatal vigente lo resuelve",
    "hover.policy.undated": (
        "Se desconoce: se leyó una ley al respecto ({laws}), pero su fecha de vigencia no está "
        "establecida, así que no se aplica a ningún mes"
    ),
    "hover.federal.label": "Listas federales",
    "hover.population.label": "Población (2024)",
    "hover.agreements": "Acuerdos 287(g): {n}",
    "hover.agencies": "Agencias: {n}",
    "hover.models": "Modelos: {models}",
    "hover.statewide": "Acuerdos de agencias estatales en el estado: {n}",
    "hover.stance": "Ley estatal: {stance}",
    "hover.policy": "{dimension}: {value} (base: {basis})",
    "hover.federal": "Listas federales: {federal}",
    "hover.population": "Población (2024): {population}",
    "hover.counties_with_287g": "Condados con un acuerdo: {n}",
    "hover.click": "Haga clic para ver el perfil completo",
    "map.click_hint": (
        "Haga clic en un condado o estado del mapa para abrir su perfil; en un teléfono, tóquelo "
        "para ver primero su ficha. Acerque con + y − (o con dos dedos) y arrastre para moverse."
    ),
    "map.card.close": "Cerrar",
    "map.role": "mapa",
    "map.zoom.in": "Acercar",
    "map.zoom.out": "Alejar",
    "map.zoom.reset": "Ver el mapa completo",
    "map.keys": (
        "Teclas: N y P pasan al lugar siguiente y al anterior (por nombre) y leen sus valores, "
        "Intro abre su perfil, Escape cierra su ficha; + y − acercan y alejan, las flechas "
        "mueven, 0 muestra el mapa completo. Los mismos valores están en la tabla debajo del "
        "mapa."
    ),
    "map.failed": (
        "No se pudieron cargar las formas del mapa. Vuelva a cargar la página; la tabla de abajo "
        "tiene todos los valores."
    ),
    "none": "ninguno",
    "unknown": "se desconoce",
    # --- headline --------------------------------------------------------------------------
    "headline.agreements": "Acuerdos activos",
    "headline.agencies": "Agencias",
    "headline.counties": "Condados con algún acuerdo",
    "headline.population": "Residentes de esos condados",
    "headline.help.population": (
        "Todas las personas que viven en los condados con algún acuerdo (estimación del Censo, "
        "julio de 2024), no las personas a las que afecta un acuerdo: el acuerdo de una policía "
        "municipal cuenta todo su condado. Se excluyen los condados sin estimación publicada "
        "(los 8 condados históricos de Connecticut)."
    ),
    "headline.delta": "{delta} frente a {months} meses antes",
    "headline.delta.one": "{delta} frente al mes anterior",
    "headline.delta.badge": "{delta} (1 mes)",
    "headline.changes": "Cambio frente a 1, 6 y 12 meses antes",
    "headline.no_earlier": "no hay lista de ICE de {months} meses antes",
    "headline.no_earlier.one": "no hay lista de ICE del mes anterior",
    "headline.help.counties": (
        "Condados donde el alguacil (sheriff), una agencia del condado o una policía municipal "
        "tiene un acuerdo. Las agencias estatales no se pintan sobre los condados."
    ),
    # --- table & download ------------------------------------------------------------------
    "table.title": "Los mismos valores en una tabla ({n} lugares)",
    "table.download": "Descargar estas filas (CSV)",
    "table.col.detention_adp_local": "Personas retenidas para ICE en centros con acuerdo local",
    "table.col.detention_adp_other": "Personas retenidas para ICE en otros centros",
    "table.col.place": "Lugar",
    "table.col.state": "Estado",
    "table.col.fips": "Código FIPS",
    "table.col.category": "Categoría del mapa",
    "table.col.n_agreements": "Acuerdos 287(g)",
    "table.col.n_agencies": "Agencias",
    "table.col.models": "Modelos",
    "table.col.sheriff": "El alguacil participa",
    "table.col.first_signed": "Primera firma",
    "table.col.n_statewide": "Acuerdos estatales en el estado",
    "table.col.stance": "Ley estatal",
    "table.col.stance_laws": "Ley estatal: leyes vigentes",
    "table.col.stance_check": "Ley estatal: cómo se verificó",
    "table.col.basis": "{dimension}: base",
    "table.col.source": "{dimension}: fuente",
    "table.col.check": "{dimension}: cómo se verificó",
    "table.col.undated": "{dimension}: ley leída, fecha de vigencia no establecida",
    "table.col.detainer_holds": "Retención por detainers",
    "table.col.release_notification": "Aviso de salida",
    "table.col.jail_access": "Acceso a la cárcel",
    "table.col.federal": "Listas federales",
    "table.col.federal_city": "Una ciudad suya en una lista federal",
    "federal.city.none": "No se nombra ninguna ciudad suya",
    "federal.city.by.dhs": "solo por el DHS, lista retirada",
    "federal.city.by.doj": "solo por el DOJ",
    "federal.city.by.both": "por el DHS y el DOJ",
    "federal.city.named": "Se nombra una ciudad suya ({lists}), no el lugar en sí",
    "table.col.population": "Población (2024)",
    "table.col.counties_with_287g": "Condados con un acuerdo",
    "table.col.population_covered": "Personas en esos condados",
    "yes": "Sí",
    "no": "No",
    "list.and": " y ",
    "lang.switch": "Idioma",
    # --- search ------------------------------------------------------------------------------
    "search.label": "Buscar un condado o estado",
    "search.placeholder": "Escriba el nombre de un condado o estado",
    "search.free": "…o una ciudad o código postal (ZIP)",
    "search.free.placeholder": "p. ej., Tampa, FL o 33602",
    "search.go": "Abrir perfil",
    "search.none": "Ningún condado, estado, ciudad o código postal coincide con “{query}”.",
    "search.zip_note": (
        "El código postal {zip} está mayormente en {county}. Los códigos postales pueden cruzar "
        "los límites de los condados; este es el condado principal del código."
    ),
    "search.city_note": "{city}, {state} está en {county}.",
    "search.city_many": "{city}, {state} abarca varios condados; elija uno:",
    "search.city_many_states": (
        "Hay un lugar llamado {city} en varios estados ({states}); elija uno:"
    ),
    "search.pick": "Coincidencias",
    "search.pick_one": "Varios lugares coinciden; elija uno:",
    "search.box": "Buscar un condado, estado, ciudad o código postal (ZIP)",
    "search.box.placeholder": "p. ej., Harris County, Austin, TX o 33602",
    "search.box.help": (
        "Una ciudad abre el condado en el que está; si una ciudad está en varios condados, se "
        "listan todos, primero el que tiene la mayoría de sus códigos postales."
    ),
    "search.zip_territory": (
        "El código postal {zip} está en {territory} (un territorio: no aparece en el mapa)."
    ),
    "search.territory": (
        "{name} es un territorio de EE. UU. coopmap aún no muestra los territorios: vea Sobre los "
        "datos para saber qué dicen de ellos las listas de ICE."
    ),
    "search.context.zip": "ZIP {zip} ({city}, {state}) — {county}",
    "search.context.city": "{city} — {county}",
    "search.context.city_main": (
        "{city} — {county} (condado principal: {n} de los {total} códigos postales de la ciudad)"
    ),
    "search.context.city_part": (
        "{city} — {county} ({n} de los {total} códigos postales de la ciudad)"
    ),
    "search.context.independent": (
        "{city} — {county}, una ciudad independiente: no pertenece a ningún condado"
    ),
    "search.context.independent_named": "{place}: una ciudad independiente, fuera de todo condado",
    "search.context.county_around": (
        "{place}: el condado que rodea a la ciudad independiente, un lugar distinto"
    ),
    "search.context.county_named": "{place}: el condado llamado {name}",
    "search.opened": "Se abrió {place}.",
    # --- profile ------------------------------------------------------------------------------
    "profile.pick": "Elija un condado o estado para ver lo que rige allí.",
    "profile.unknown_place": "No hay ningún condado o estado con el código “{fips}”.",
    "profile.summary.county_some.one": (
        "En {month}, regía en {name} un acuerdo 287(g) de una agencia local: {models}."
    ),
    "profile.summary.county_some": (
        "En {month}, regían en {name} {n} acuerdos 287(g) de agencias locales, con estos "
        "modelos: {models}."
    ),
    "profile.summary.county_none": (
        "En {month}, ninguna agencia local de {name} tenía un acuerdo 287(g)."
    ),
    "profile.summary.state": (
        "En {month}, en {name} estaban activos {agreements} bajo 287(g), de {agencies}."
    ),
    "profile.summary.territory": (
        "En {month}, había en {name} {n} acuerdos bajo 287(g) activos, de {agencies} agencias."
    ),
    "profile.summary.territory.one": (
        "En {month}, había en {name} un acuerdo bajo 287(g) activo."
    ),
    "profile.summary.territory_none": (
        "En {month}, ninguna agencia de {name} tenía un acuerdo 287(g)."
    ),
    "profile.territory.no_map": (
        "{name} es un territorio de EE. UU.: no aparece en los mapas de coopmap (muestran los 50 "
        "estados y DC), y ninguna fuente disponible de leyes estatales, prácticas o población lo "
        "cubre. Sus acuerdos cuentan en los totales nacionales y en Tendencias."
    ),
    "profile.holders.title": "Quién los tiene en {month}:",
    "profile.holders.sheriff.yes": "**Alguacil (sheriff): sí**, {models} ({agency}).",
    "profile.holders.sheriff.no": "**Alguacil (sheriff): no** tiene acuerdo 287(g).",
    "profile.holders.city": (
        "Policías de ciudades y pueblos: {agreements}, {agencies}."
    ),
    "profile.holders.city.none": "Policías de ciudades y pueblos: ninguna.",
    "profile.holders.other": (
        "Otras agencias del condado y regionales (cárcel, fiscalía, alguaciles de distrito "
        "(constables), organismos regionales): {agreements}, {agencies}."
    ),
    "profile.holders.other.none": "Otras agencias del condado y regionales: ninguna.",
    "profile.holders.statewide": (
        "Agencias estatales (cubren todos los condados): {agreements}, {agencies}."
    ),
    "profile.holders.statewide.none": "Agencias estatales: ninguna.",
    "profile.summary.state.one": (
        "En {month}, había en {name} un acuerdo bajo 287(g) activo, de una agencia."
    ),
    "profile.summary.state.zero": (
        "En {month}, no había en {name} ningún acuerdo bajo 287(g) activo."
    ),
    "profile.summary.state.counties": "{counties} de sus {total} condados tenían al menos uno.",
    "profile.summary.state.counties.one": "Uno de sus {total} condados tenía uno.",
    "count.agreements": "{n} acuerdos",
    "count.agreements.one": "un acuerdo",
    "count.agencies": "{n} agencias",
    "count.agencies.one": "una agencia",
    "count.departments": "{n} departamentos",
    "count.departments.one": "un departamento",
    "profile.rank.with": (
        "{name} es uno de los {k} condados de {state} con un acuerdo; {total} condados en total."
    ),
    "profile.rank.with.one": (
        "{name} es el único condado de {state} con un acuerdo; {total} condados en total."
    ),
    "profile.rank.without": (
        "{name} es uno de los {k} condados de {state} sin acuerdo; {total} condados en total."
    ),
    "profile.rank.without.one": (
        "{name} es el único condado de {state} sin acuerdo; {total} condados en total."
    ),
    "profile.section.agreements": "Acuerdos 287(g) que cubren este lugar",
    "profile.section.statewide": "Acuerdos de agencias estatales (cubren todo el estado)",
    "profile.section.state_law": "Ley estatal",
    "profile.section.policies": "Retención por detainers, aviso de salida, acceso a la cárcel",
    "profile.section.federal": "Listas federales de “santuarios” (2025)",
    "profile.section.detention": "Detención de ICE en los centros de este condado",
    "profile.section.detention.state": "Detención de ICE en los centros del estado",
    "profile.detention.none": (
        "Ninguno registrado: ni los libros de detención de ICE ni los recuentos diarios muestran "
        "aquí un centro que retenga personas para ICE. Eso no es lo mismo que “no”: ICE solo "
        "lista los centros con personas el día en que extrae sus datos."
    ),
    "profile.detention.month": "Recuentos diarios de detención de {month} — {words}.",
    "profile.detention.no_month": (
        "Los recuentos diarios de detención cubren de {first} a {last}, no {month}; se muestra "
        "el mes más reciente."
    ),
    "profile.detention.caveat": (
        "“Personas retenidas en un día promedio” es la cifra de ICE para el año fiscal hasta la "
        "extracción de datos indicada en Período (la suma de sus niveles de seguridad A–D). La "
        "línea mensual es el promedio de los recuentos diarios del Deportation Data Project; "
        "marzo de 2026 tiene 10 días. Las cifras de julio de 2026 son la lectura que hizo un "
        "tercero del libro de ICE."
    ),
    "profile.detention.more": "Hay {n} centros más del estado en el CSV de la tabla.",
    "profile.section.population": "Población",
    "profile.section.timeline": "Los acuerdos de este lugar a lo largo del tiempo",
    "profile.section.pending": "Acuerdos pendientes",
    "profile.timeline.truncated": (
        "El gráfico muestra los {shown} más antiguos de los {total} acuerdos listados aquí."
    ),
    "profile.no_agreements": "No hay ningún acuerdo listado para este lugar en {month}.",
    "profile.no_statewide": "Ninguna agencia estatal de {state} tenía un acuerdo en {month}.",
    "profile.agreements.source": "Fuente: lista de ICE de {month} ({file}).",
    "profile.col.agency": "Agencia",
    "profile.col.type": "Tipo",
    "profile.col.model": "Modelo",
    "profile.col.signed": "Firmado",
    "profile.col.listed_since": "En la lista desde",
    "profile.col.last_listed": "Última vez en la lista",
    "profile.col.history": "Nombres y ausencias en las listas de ICE",
    "profile.history.names": "También listada como {names}.",
    "profile.history.relisted": (
        "Fuera de la lista de ICE después de {gap_from}; de nuevo en la lista en {month}."
    ),
    "profile.history.new_moa": " Nuevo memorando de acuerdo (MOA) firmado el {signed}.",
    "profile.col.moa": "Acuerdo (MOA)",
    "profile.col.status": "Situación actual",
    "profile.col.matched": "Cómo se determinó el condado",
    "profile.moa_link": "Leer el MOA",
    "profile.law.stance": "Postura en {month}: {stance}.",
    "profile.law.stance_check": (
        "Postura en {month}: {stance} (la verificación más débil de las leyes en que se basa: "
        "{check})."
    ),
    "profile.law.none_found": (
        "No se encontró ninguna ley estatal sobre retención por detainers, aviso de salida, "
        "acceso a la cárcel, 287(g), contratos de detención o límites locales (una búsqueda de "
        "las leyes estatales vigentes desde 2019 no halló ninguna; {check}). Eso no es un “no”: "
        "quiere decir que ninguna ley estatal resuelve estas cuestiones."
    ),
    "profile.law.in_effect": "Leyes vigentes en {month}",
    "profile.law.none_in_effect": (
        "Ninguna ley estatal sobre estas cuestiones estuvo vigente durante todo {month}."
    ),
    "profile.law.heading": "{citation}{title} · {kind}",
    "profile.law.dates": "Vigente desde el {effective}{until}.",
    "profile.law.until": ", hasta el {ended} ({reason})",
    "profile.law.overridden": (
        "No se aplica en {month}: cuando las leyes vigentes difieren sobre una práctica, la "
        "decide la que entró en vigor más tarde, aquí {law}."),
    "profile.law.quote": "{provision}: “{quote}”",
    "profile.law.quote_only": "“{quote}”",
    "profile.law.quote_unchecked": (
        "{provision}, según la fuente indicada abajo (no cotejado con el texto de la ley): "
        "“{quote}”"
    ),
    "profile.law.quote_unchecked_only": (
        "Según la fuente indicada abajo (no cotejado con el texto de la ley): “{quote}”"
    ),
    "profile.law.undated.one": (
        "Una lectura de las leyes de este estado no tiene fecha de vigencia establecida, así "
        "que no se aplica a ningún mes (figura en “Otras leyes”, abajo)."
    ),
    "profile.law.undated": (
        "{n} lecturas de las leyes de este estado no tienen fecha de vigencia establecida, así "
        "que no se aplican a ningún mes (figuran en “Otras leyes”, abajo)."
    ),
    "profile.law.history": "{dimension}, historial: {periods}.",
    "profile.law.check": "Cómo se verificó: {check}.",
    "profile.law.secondary": "Cómo se verificó: {check} ({source}).",
    "profile.law.read": "Leer el texto",
    "profile.law.others": "Otras leyes de este estado (no vigentes en {month})",
    "profile.law.later": "entra en vigor el {effective}",
    "profile.law.ended": "terminó el {ended} ({reason})",
    "profile.law.never": (
        "{reason} antes de entrar en vigor el {effective}, así que no se aplica a ningún mes"
    ),
    "profile.law.no_date": "fecha de vigencia no establecida, así que no se aplica a ningún mes",
    "profile.law.other_line": "{citation}: {dimension}: {text} ({when}; {check}).",
    "profile.policy.line": "{dimension}: {text}.",
    "profile.policy.law_text": "la ley estatal {text}",
    "profile.policy.law_text.court_ruling": "un fallo judicial {text}",
    "profile.policy.law_text.ag_guidance": "una directiva u opinión del fiscal general {text}",
    "profile.policy.law_text.executive_order": (
        "una orden ejecutiva o política del gobernador {text}"),
    "profile.policy.law_text.regulation": "un reglamento estatal {text}",
    "profile.policy.law_text.constitution": "la constitución estatal {text}",
    "profile.policy.basis": "Base: {basis} ({source}); {check}.",
    "profile.policy.staff": (
        "Base: {basis}. Fuente: {source} (hallazgo del personal, verificado el {date})."
    ),
    "profile.policy.unknown": (
        "Ninguna ley estatal vigente en {month} lo resuelve, y no hay ningún hallazgo local en "
        "nuestros datos."
    ),
    "profile.policy.undated_also": "También leída, pero no aplicada a ningún mes: {line}",
    "profile.policy.undated_value": (
        "Se desconoce: se leyó una ley al respecto, pero su fecha de vigencia no está "
        "establecida"
    ),
    "profile.policy.history": "Historial: {periods}.",
    "profile.policy.also_law": "desde el {date} también {law}",
    "profile.policy.then_law": "desde el {date} {law}",
    "profile.policy.law_until": "hasta el {end}",
    "profile.policy.since": "desde el {date}: {text} ({law})",
    "profile.policy.between": "del {start} al {end}: {text} ({law})",
    "profile.policy.before": "antes del {date}: no se encontró ninguna ley estatal en vigor",
    "profile.policy.no_law": "del {start} al {end}: no se encontró ninguna ley estatal en vigor",
    "profile.federal.none": (
        "No figura en las listas del DHS (mayo de 2025) ni del DOJ (agosto de 2025)."
    ),
    "profile.federal.named": "Nombrado como “{name}” en la {list}.",
    "profile.federal.city_named": (
        "No se le nombra a sí mismo, pero sí a una ciudad suya: “{name}” en la {list}."
    ),
    "profile.federal.caveat": (
        "Estas listas son acusaciones del gobierno federal, no hallazgos sobre la práctica; la "
        "lista del DHS se retiró pocos días después de publicarse por contener errores."
    ),
    "profile.population": "{population} residentes (estimación del Censo al 1 de julio de 2024).",
    "profile.population.missing": "Población desconocida: {note}",
    "profile.in_state": "Forma parte de {state}. ",
    "profile.state_link": "Abrir el perfil de {state}",
    "profile.compare_link": "Comparar con otro lugar",
    "profile.map_caption": "{state}: acuerdos 287(g) por modelo, {month}.",
    # --- compare -------------------------------------------------------------------------------
    "compare.places": "Lugares para comparar (de 2 a 4)",
    "compare.places.help": "Condados y estados; escriba para buscar.",
    "compare.need_two": "Elija al menos dos lugares.",
    "compare.too_many": "Se muestran los primeros cuatro lugares.",
    "compare.differs": "difiere",
    "compare.tab.places": "Lugares lado a lado",
    "compare.tab.maps": "Dos mapas",
    "compare.month_a": "Mes del mapa de la izquierda",
    "compare.month_b": "Mes del mapa de la derecha",
    "compare.layer_a": "Capa del mapa de la izquierda",
    "compare.layer_b": "Capa del mapa de la derecha",
    "compare.dim.state": "Estado",
    "compare.dim.population": "Población (2024)",
    "compare.dim.agreements": "Acuerdos 287(g) activos",
    "compare.dim.agencies": "Agencias con un acuerdo",
    "compare.dim.models": "Modelos",
    "compare.dim.sheriff": "El alguacil participa",
    "compare.dim.statewide": "Acuerdos de agencias estatales",
    "compare.dim.pending": "Acuerdos pendientes",
    "compare.dim.stance": "Ley estatal",
    "compare.dim.federal": "Listas federales",
    "compare.dim.detention": "Detención de ICE en cárceles locales",
    "compare.dim.federal_city": "Una ciudad suya en una lista federal",
    "compare.dim.counties_with_287g": "Condados con un acuerdo",
    "compare.legend": (
        "Las filas marcadas con “difiere” no son iguales para los lugares a los que se aplican "
        "(no se comparan la población ni cómo se verificó una fuente). “—”: la fila no se aplica "
        "a ese lugar (un estado no tiene un solo alguacil (sheriff))."
    ),
    "compare.na": "—",
    "compare.detention.month": (
        "Detención de ICE en cárceles locales: los recuentos diarios de detención cubren de "
        "{first} a {last}, no {month}; la fila muestra {shown}."
    ),
    "compare.profile": "Perfil: {place}",
    # --- trends ------------------------------------------------------------------------------
    "trends.states.month": "Mes de la clasificación de estados",
    "trends.growth.title": "Acuerdos 287(g) por modelo, cada mes",
    "trends.new.title": "Acuerdos 287(g) nuevos cada mes",
    "trends.states.title": "Estados según sus acuerdos 287(g), {month}",
    "trends.state.title": "{state}: acuerdos 287(g) por modelo",
    "trends.detention.title": "Personas en detención de ICE por tipo de acuerdo, cada mes",
    "trends.detention.subtitle": (
        "Promedio diario, Estados Unidos, de {first} a {last} (marzo de 2026: 10 días)"
    ),
    "trends.detention.states.title": (
        "Estados según las personas retenidas para ICE en cárceles locales, {month}"
    ),
    "trends.detention.states.subtitle": (
        "Promedio diario en centros bajo el acuerdo de un gobierno local (IGSA, DIGSA, USMS "
        "IGA), {month}"
    ),
    "trends.axis.people": "Personas en un día promedio",
    "trends.state.pick": "La tendencia de un estado",
    "trends.subtitle": "Acuerdos activos, Estados Unidos{filters}, de enero de 2021 a {month}",
    "trends.subtitle.states": "Acuerdos activos por estado o territorio{filters}, {month}",
    "trends.subtitle.new": (
        "Acuerdos que ICE listó por primera vez, o de nuevo tras una ausencia con un nuevo "
        "memorando de acuerdo (otra fecha de firma), de febrero de 2021 a {month}; no se cuenta "
        "una agencia que cambió de nombre"
    ),
    "trends.ended.title": "Acuerdos 287(g) que dejaron de figurar en la lista, cada mes",
    "trends.subtitle.ended": (
        "Acuerdos que salieron de la lista de ICE ese mes y no volvieron a figurar, o solo "
        "con un nuevo memorando de acuerdo, de febrero de 2021 a {month}; no se cuenta una "
        "agencia que cambió de nombre"
    ),
    "trends.axis.month": "Mes",
    "chart.span": "{start} a {end}",
    "trends.axis.agreements": "Acuerdos",
    "trends.axis.state": "Estado",
    "trends.note": (
        "Antes de febrero de 2025, las listas provienen de copias archivadas de la página web de "
        "ICE, así que los meses en que la página no cambió repiten los mismos valores."
    ),
    "trends.table": "Las cifras detrás de los gráficos",
    "trends.law.title": (
        "Estados con una ley que exige o limita la retención por detainers, cada mes"
    ),
    "trends.law.subtitle": (
        "Lecturas de leyes estatales vigentes durante todo el mes, 50 estados y DC, de {start} "
        "a {end}"
    ),
    "trends.law.axis": "Estados",
    "trends.law.value.honored": "La ley exige retener por una solicitud de ICE (detainer)",
    "trends.law.value.limited": "La ley permite retener solo en los casos que enumera",
    "trends.law.value.judicial_warrant_only": "La ley prohíbe retener sin una orden judicial",
    "trends.law.value.declined": "La ley prohíbe retener por una solicitud de ICE (detainer)",
    "trends.law.source": (
        "Fuente: lecturas de leyes estatales ({checked} de {n} lecturas sobre detainers "
        "cotejadas con el texto de la ley; las demás, de resúmenes o borradores sin verificar). "
        "coopmap, conjunto de datos {release}."
    ),
    # --- about --------------------------------------------------------------------------------
    "about.intro": (
        "coopmap muestra, para cada condado y estado de EE. UU., cómo coopera el gobierno local "
        "con el Servicio de Inmigración y Control de Aduanas (ICE, por sus siglas en inglés): "
        "acuerdos 287(g), retención por solicitudes de ICE (detainers), aviso de la fecha de "
        "salida, acceso a la cárcel, leyes estatales y las listas federales de “santuarios”, y "
        "cómo ha cambiado todo esto desde enero de 2021."
    ),
    "about.glossary": "Glosario",
    "about.caveats": "Lo que los datos pueden y no pueden decir",
    "about.sources": "Fuentes",
    "about.release": "Este conjunto de datos",
    "about.history": "Historial de los conjuntos de datos",
    "about.correction": "Informar una corrección",
    "about.correction.contact": "Envíela a: {contact}",
    "about.correction.contact.default": (
        "Envíela como un “issue” al repositorio de coopmap (la organización que administra este "
        "sitio fija su propia dirección con el ajuste `COOPMAP_CONTACT`)."
    ),
    "about.sources.col.link": "Publicado en",
    "about.cite": "Cómo citar",
    "about.cite.text": (
        "coopmap, conjunto de datos {release} (lista de ICE del {as_of}), {url}, consultado el "
        "{today}. Cite el enlace de la vista que usó: nombra el conjunto de datos y el mes, así "
        "que mostrará las mismas cifras más adelante."
    ),
    "about.licence": "Licencia",
    "about.licence.text": (
        "El código de coopmap tiene la licencia MIT. Los datos conservan las condiciones de sus "
        "fuentes (indicadas arriba): las listas de ICE y las cifras y formas del Censo son obras "
        "del gobierno de EE. UU. de dominio público. Las lecturas de leyes estatales son notas "
        "propias de coopmap sobre cada ley, que citan su texto o, donde el valor lo indica, un "
        "resumen de otros, no revisadas por una persona: cítelas con su fuente. La tabla de "
        "terceros redactada por IA a la que sustituyeron no declara licencia, y ningún valor "
        "mostrado proviene de ella."
    ),
    "tab.title": "{what} — coopmap",
    "about.correction.text": (
        "Si algo de lo que aparece aquí sobre su condado o estado es incorrecto o está "
        "desactualizado, díganos qué, dónde y la fuente (un enlace a una política, una ley, una "
        "noticia o un documento oficial). El personal revisa cada aviso con su fuente antes de "
        "publicar un nuevo conjunto de datos; cada dato conserva su fuente y su fecha. Escriba a "
        "la organización que administra este sitio e incluya el enlace de la vista que consultó."
    ),
    "about.release.line": (
        "Conjunto de datos {release}, generado el {created}. Lista de participantes de ICE más "
        "reciente: {as_of}. Tablas: {tables}."
    ),
    "about.sources.col.folder": "Fuente",
    "about.sources.col.files": "Archivos",
    "about.sources.col.license": "Licencia / condiciones",
    "about.sources.col.publisher": "Editor",
    "about.history.col.at": "Cuándo",
    "about.history.col.action": "Qué",
    "about.history.col.to": "Conjunto de datos",
    "about.history.col.by": "Quién",
    "about.history.col.note": "Nota",
    "about.history.action.build": "generado",
    "about.history.action.publish": "publicado",
    "about.history.action.rollback": "revertido",
    "about.history.action.restored": "restaurado",
    "about.history.none": "Aún no hay historial de publicaciones.",
    "about.releases": "Conjuntos de datos conservados",
    "about.uploads": "Archivos que el personal subió para este conjunto de datos",
    "about.uploads.col.file": "Archivo",
    "about.uploads.col.sha256": "sha256",
    "about.uploads.col.by": "Publicado por",
    "about.uploads.col.at": "Publicado",
    "staff.english_only": (
        "La página del personal está solo en inglés: es una herramienta interna para quienes "
        "mantienen los datos. El sitio público está completo en español."
    ),
    "fig.map.title.highlight": "{title} (con contorno: {places})",
    "fig.licence": "Datos: ICE y Censo, obras del gobierno de EE. UU. de dominio público.",
    "fig.licence.laws": (
        "Datos: ICE y Censo (dominio público); lecturas de leyes estatales: notas de coopmap "
        "sobre el texto de cada ley o un resumen, no revisadas por una persona: cítelas con su "
        "fuente."
    ),
    "fig.licence.detention": (
        "Datos: libros de estadísticas de ICE (dominio público); Deportation Data Project y "
        "Detention System Data (CC0 1.0)."
    ),
    "fig.site": "coopmap · {url}",
    "image.svg": "Descargar imagen: SVG (vectorial)",
    "app.description": (
        "Un mapa público de cómo cada condado y estado de EE. UU. colabora con ICE: acuerdos "
        "287(g) y sus modelos, leyes estatales sobre solicitudes de retención (detainers) y "
        "avisos de liberación, detención de ICE en cárceles locales, mes a mes desde enero de "
        "2021, con la fuente de cada dato."
    ),
}

# The words of the schema's vocabularies ({NAME: {code: words}}), flattened into ES below as
# ``vocab.<NAME>.<code>``.
_POLICY_VALUES = {
    "honored": "Sí, con la sola solicitud de ICE",
    "judicial_warrant_only": "Solo con una orden judicial",
    "limited": "Limitado",
    "declined": "Se niega",
    "unknown": "Se desconoce",
}
_CHECK_STATUSES = {
    "checked_text": "cotejado con el texto de la ley",
    "secondary_source": "de una fuente secundaria (un resumen)",
    "unverified_draft": "borrador sin verificar",
}
_FEDERAL_LIST_CATEGORIES = {
    "not_listed": "No nombrado",
    "dhs": "Nombrado solo por el DHS (lista retirada)",
    "doj": "Nombrado solo por el DOJ",
    "both": "Nombrado por el DHS y el DOJ",
}
_LAW_REQUIRED = {"required": "Exigidos", "forbidden": "Prohibidos", "limited": "Restringidos"}
VOCAB: dict[str, dict[str, str]] = {
    "MODELS": {
        "JEM": "Modelo de cárceles (JEM)",
        "WSO": "Oficial de servicio de órdenes (WSO)",
        "TFM": "Modelo de grupo de trabajo (TFM)",
    },
    "MODEL_SHORT": {"JEM": "Cárcel", "WSO": "Servicio de órdenes", "TFM": "Grupo de trabajo"},
    "AGENCY_TYPES": {
        "county": "Condado (alguacil o agencia del condado)",
        "municipality": "Municipio (policía de una ciudad o pueblo)",
        "state_agency": "Agencia estatal (cubre todo el estado)",
    },
    "STATUSES": {
        "participating": "Participa",
        "pending": "Pendiente (aún sin firmar)",
        "no_longer_listed": "Ya no figura en la lista",
    },
    "LISTS": {"participating": "Agencias participantes", "pending": "Agencias pendientes"},
    "MATCH_METHODS": {
        "ice_county_column": "La columna COUNTY de ICE",
        "reviewed_correction": "Corrección revisada del nombre de condado de ICE",
        "agency_name": "El condado que nombra el nombre de la agencia",
        "other_sheet": "El condado de la misma agencia en la hoja de ICE de otro mes",
        "city_lookup": "La ciudad de la agencia, buscada hasta su condado",
        "reviewed_entry": "Entrada revisada (universidad, aeropuerto, autoridad regional)",
        "state_agency": "Agencia estatal: cubre todo el estado",
        "territory": "Territorio: fuera del mapa",
        "unmatched": "Sin asignar (se indica el motivo)",
    },
    "JURISDICTION_LEVELS": {
        "county": "Condado", "state": "Estado", "territory": "Territorio",
        "unmatched": "Sin asignar",
    },
    "POLICY_DIMENSIONS": {
        "detainer_holds": "Retención por solicitudes de ICE (detainers)",
        "release_notification": "Aviso a ICE de la fecha de salida",
        "jail_access": "Acceso de ICE a la cárcel",
    },
    "POLICY_VALUES": _POLICY_VALUES,
    "POLICY_VALUE_TEXT.detainer_holds": {
        "honored": "Retiene a personas con la sola solicitud de retención (detainer) de ICE",
        "judicial_warrant_only": "Retiene a personas para ICE solo con una orden judicial",
        "limited": "Retiene a personas por detainers solo en casos limitados",
        "declined": "No retiene a personas por solicitudes de retención (detainers) de ICE",
        "unknown": "Se desconoce: ninguna fuente disponible lo dice",
    },
    "POLICY_VALUE_TEXT.release_notification": {
        "honored": "Avisa a ICE cuándo saldrán las personas en libertad",
        "judicial_warrant_only": "Avisa a ICE de las salidas solo con una orden judicial",
        "limited": "Avisa a ICE de las salidas solo en casos limitados",
        "declined": "No avisa a ICE de las fechas de salida",
        "unknown": "Se desconoce: ninguna fuente disponible lo dice",
    },
    "POLICY_VALUE_TEXT.jail_access": {
        "honored": "Deja entrar a agentes de ICE a la cárcel para entrevistar a personas",
        "judicial_warrant_only": "Deja entrar a ICE a la cárcel solo con una orden judicial",
        "limited": "Deja entrar a ICE a la cárcel solo en casos limitados",
        "declined": "No deja entrar a ICE a la cárcel",
        "unknown": "Se desconoce: ninguna fuente disponible lo dice",
    },
    "POLICY_BASES": {
        "local_policy": "Política local",
        "state_law": "Ley estatal",
        "court_ruling": "Fallo judicial",
        "ag_guidance": "Directiva u opinión del fiscal general",
        "executive_order": "Orden ejecutiva o política del gobernador",
        "regulation": "Reglamento estatal",
        "constitution": "Constitución estatal",
        "none": "Sin fuente",
    },
    "STANCES": {
        "pro": "Exige la cooperación",
        "mixed": "Exige y también limita la cooperación",
        "anti": "Limita o prohíbe la cooperación",
        "none": "No se halló ninguna ley estatal en ningún sentido",
    },
    "REVIEW_STATUSES": {"unreviewed_draft": "Borrador sin revisar", "reviewed": "Revisado"},
    "PRACTICE_LAW_VALUES": {k: v for k, v in _POLICY_VALUES.items() if k != "unknown"},
    "LAW_DIMENSIONS": {
        "detainer_holds": "Retención por solicitudes de ICE (detainers)",
        "release_notification": "Aviso a ICE de la fecha de salida",
        "jail_access": "Acceso de ICE a la cárcel",
        "287g": "Acuerdos 287(g)",
        "detention_contracts": "Contratos de detención con ICE",
        "local_limits": "Límites locales a la cooperación",
        "no_law_found": "No se halló ninguna ley estatal",
    },
    "LAW_VALUES.287g": _LAW_REQUIRED,
    "LAW_VALUES.detention_contracts": _LAW_REQUIRED,
    "LAW_VALUES.local_limits": {
        "forbidden": "Las localidades no pueden limitar la cooperación",
    },
    "LAW_VALUES.no_law_found": {"none": "No se halló ninguna ley estatal"},
    "LAW_VALUE_TEXT.detainer_holds": {
        "honored": "exige a las cárceles retener a personas por solicitudes de retención "
                   "(detainers) de ICE",
        "judicial_warrant_only": "prohíbe retener a personas por una solicitud de ICE "
                                 "(detainer) sin una orden judicial",
        "limited": "permite la retención por detainers solo en los casos que enumera",
        "declined": "prohíbe retener a personas por solicitudes de retención (detainers) de ICE",
    },
    "LAW_VALUE_TEXT.release_notification": {
        "honored": "exige avisar a ICE cuándo saldrán las personas en libertad",
        "judicial_warrant_only": "prohíbe avisar a ICE de las fechas de salida sin una orden "
                                 "judicial",
        "limited": "permite avisar a ICE de las fechas de salida solo en los casos que enumera",
        "declined": "prohíbe avisar a ICE de las fechas de salida",
    },
    "LAW_VALUE_TEXT.jail_access": {
        "honored": "exige dar a ICE acceso a las cárceles para entrevistar a personas",
        "judicial_warrant_only": "prohíbe el acceso de ICE a las cárceles sin una orden judicial",
        "limited": "pone condiciones a las entrevistas de ICE en las cárceles",
        "declined": "prohíbe las entrevistas de ICE en las cárceles",
    },
    "LAW_VALUE_TEXT.287g": {
        "required": "exige a las agencias locales buscar o mantener acuerdos 287(g)",
        "forbidden": "prohíbe los acuerdos 287(g)",
        "limited": "restringe los acuerdos 287(g)",
    },
    "LAW_VALUE_TEXT.detention_contracts": {
        "required": "exige a las cárceles locales tener acuerdos con ICE para retener a personas",
        "forbidden": "prohíbe a los gobiernos locales contratar con ICE la detención de personas",
        "limited": "restringe los contratos locales de detención con ICE",
    },
    "LAW_VALUE_TEXT.local_limits": {
        "forbidden": "prohíbe a las localidades adoptar políticas que limiten la cooperación "
                     "con el control de inmigración",
    },
    "LAW_VALUE_TEXT.no_law_found": {
        "none": "no se halló ninguna ley estatal sobre ninguna de estas cuestiones",
    },
    "LAW_BASIS_KINDS": {
        "statute": "Ley (estatuto)",
        "court_ruling": "Fallo judicial",
        "ag_guidance": "Directiva u opinión del fiscal general",
        "executive_order": "Orden ejecutiva o política del gobernador",
        "constitution": "Constitución estatal",
        "regulation": "Reglamento",
    },
    "CHECK_STATUSES": _CHECK_STATUSES,
    "VALUE_CHECKS": {**_CHECK_STATUSES,
                     "staff_finding": "hallazgo del personal (hoja de prácticas)"},
    "END_REASONS": {
        "repealed": "derogada",
        "enjoined": "suspendida por un tribunal",
        "superseded": "reemplazada",
        "struck_down": "anulada",
        "expired": "expiró",
    },
    "FEDERAL_LISTS": {
        "dhs_2025_05_29": "lista del DHS del 29 de mayo de 2025 (retirada)",
        "doj_2025_08_05": "lista del DOJ del 5 de agosto de 2025",
    },
    "DETENTION_TYPES": {
        "IGSA": "IGSA: acuerdo intergubernamental de servicios de un gobierno local (o estatal) "
                "con ICE",
        "DIGSA": "DIGSA: un IGSA exclusivo, un centro que se usa solo para ICE bajo el acuerdo "
                 "de un gobierno local, a menudo administrado por una empresa",
        "USMS IGA": "USMS IGA: el acuerdo de la cárcel con el Servicio de Alguaciles de EE. UU. "
                    "(U.S. Marshals), que ICE utiliza",
        "CDF": "CDF: un centro de detención por contrato (privado, con contrato directo con ICE)",
        "SPC": "SPC: un centro de procesamiento de servicio propiedad de ICE",
        "BOP": "BOP: una prisión federal (Oficina Federal de Prisiones)",
        "USMS CDF": "USMS CDF: un centro de detención por contrato de los U.S. Marshals",
        "STAGING": "STAGING: un centro de paso (staging)",
        "FAMILY": "FAMILY: un centro residencial familiar",
        "FAMILY STAGING": "FAMILY STAGING: un centro de paso para familias",
        "STATE": "STATE: un centro del gobierno estatal",
        "DOD": "DOD: un centro del Departamento de Defensa",
        "JUVENILE": "JUVENILE: un centro para menores",
        "TAP-ICE": "TAP-ICE: un centro de colocación con un adulto de confianza",
        "MIRP": "MIRP: un centro médico (solo en el registro)",
        "Other": "Otro",
        "unknown": "Se desconoce: ninguna fuente disponible indica el tipo",
    },
    "DETENTION_CLASSES": {
        "local_government": "Acuerdo de un gobierno local (IGSA, DIGSA, USMS IGA)",
        "federal_private": "Centro federal, privado o estatal (no es acuerdo de un gobierno local)",
        "unknown": "Tipo desconocido",
    },
    "DETENTION_TYPE_PLAIN": {
        "IGSA": "una cárcel local que retiene a personas para ICE bajo su propio acuerdo con ICE",
        "DIGSA": "un centro que se usa solo para ICE bajo el acuerdo de un gobierno local, a "
                 "menudo administrado por una empresa",
        "USMS IGA": "una cárcel local que retiene a personas para ICE bajo su acuerdo con el "
                    "Servicio de Alguaciles de EE. UU. (U.S. Marshals)",
        "CDF": "un centro de detención privado con contrato con ICE",
        "SPC": "un centro de detención propiedad de ICE",
        "BOP": "una prisión federal",
        "USMS CDF": "un centro de detención privado con contrato con los U.S. Marshals",
        "STAGING": "un centro de paso para estancias cortas",
        "FAMILY": "un centro de detención familiar",
        "FAMILY STAGING": "un centro de paso para familias",
        "STATE": "un centro administrado por el gobierno estatal",
        "DOD": "un centro militar",
        "JUVENILE": "un centro para menores",
        "TAP-ICE": "un centro de colocación con un adulto de confianza",
        "MIRP": "un centro médico",
        "Other": "un centro de otro tipo",
        "unknown": "un centro cuyo tipo no indica ninguna fuente disponible",
    },
    "DETENTION_TYPE_BASES": {
        "ice_workbook": "Libro de estadísticas de detención de ICE (Type Detailed)",
        "third_party_parse": "Lectura de un tercero del libro más reciente de ICE (Type Detailed)",
        "registry": "Registro de Detention System Data (acuerdo)",
        "none": "Ninguna fuente indica el tipo",
    },
    "DETENTION_CODE_BASES": {
        "ice_code": "Código de centro de ICE",
        "provisional": "Clave provisional: aún no se conoce un código (lo informa la compilación)",
    },
    "DETENTION_COUNTY_BASES": {
        "zip_one_county": "El código postal del centro está en un solo condado",
        "reviewed_entry": "Entrada revisada (el código postal abarca varios condados, o las "
                          "fuentes no coinciden)",
        "unplaced": "Sin ubicar (se indica el motivo)",
    },
    "DETENTION_SOURCE_KINDS": {
        "ice_workbook": "Libro de estadísticas de detención de ICE",
        "third_party_parse": "Lectura de un tercero del libro de ICE (Detention System Data)",
    },
    "MODEL_CATEGORIES": {
        "none": "Sin acuerdo",
        "JEM": "Solo modelo de cárceles",
        "WSO": "Solo oficial de servicio de órdenes",
        "TFM": "Solo grupo de trabajo",
        "several": "Varios modelos",
    },
    "FEDERAL_LIST_CATEGORIES": _FEDERAL_LIST_CATEGORIES,
    "FEDERAL_LAYER_CATEGORIES": {
        **_FEDERAL_LIST_CATEGORIES,
        "city": "Se nombra una ciudad suya (no el lugar en sí)",
    },
    "DETENTION_CATEGORIES": {
        "none_listed": "Ningún centro registrado",
        "IGSA": "Cárcel local, IGSA con ICE",
        "DIGSA": "IGSA exclusivo (a menudo de una empresa)",
        "USMS IGA": "Cárcel local, vía acuerdo con los U.S. Marshals",
        "several": "Varios tipos de acuerdo local",
        "federal_private": "Solo centros federales o privados",
        "unknown_type": "Solo centros de tipo desconocido",
        "no_data": "Sin datos mensuales para este mes",
    },
}
ES.update({f"vocab.{name}.{code}": words for name, vocab in VOCAB.items()
           for code, words in vocab.items()})

GLOSSARY: dict[str, tuple[str, str]] = {
    "287g": (
        "287(g)",
        "La sección 287(g) de la Ley de Inmigración y Nacionalidad (8 U.S.C. §1357(g)), añadida "
        "en 1996, permite a ICE delegar algunas funciones de los agentes de inmigración en "
        "agentes estatales y locales mediante un memorando de acuerdo (MOA) firmado, bajo la "
        "supervisión de ICE. Una agencia puede tener varios modelos.",
    ),
    "JEM": (
        "Modelo de cárceles (Jail Enforcement Model, JEM)",
        "Los agentes identifican y tramitan a personas deportables que ya ingresaron en la "
        "cárcel (entrevistas, consultas de bases de datos, solicitudes de retención, documentos "
        "de acusación).",
    ),
    "WSO": (
        "Oficial de servicio de órdenes (Warrant Service Officer, WSO)",
        "Los agentes entregan órdenes administrativas de ICE a personas que ya están en la cárcel "
        "de la agencia; se creó en 2019.",
    ),
    "TFM": (
        "Modelo de grupo de trabajo (Task Force Model, TFM)",
        "Los agentes usan una autoridad migratoria limitada durante su labor policial habitual "
        "en la comunidad; terminó en 2012, se reanudó en 2025 y hoy es el modelo más común.",
    ),
    "detainer": (
        "Solicitud de retención (detainer, formulario I-247A)",
        "La petición de ICE de que una cárcel le avise antes de poner a una persona en libertad "
        "y la retenga hasta 48 horas más allá de su salida. La firma un agente de ICE, no un "
        "juez; una orden administrativa no es una orden judicial. Cumplirla es voluntario según "
        "la ley federal, pero algunas leyes estatales lo exigen y otras prohíben retener sin una "
        "orden judicial. ICE la llama en español “orden de retención migratoria”.",
    ),
    "release_notification": (
        "Aviso de la fecha de salida (release notification)",
        "Avisar a ICE cuándo saldrá alguien en libertad (sin retenerlo).",
    ),
    "jail_access": (
        "Acceso a la cárcel",
        "Dejar entrar a agentes de ICE a la cárcel para entrevistar a personas.",
    ),
    "secure_communities": (
        "Comunidades Seguras (Secure Communities)",
        "Las huellas dactilares tomadas al ingresar en la cárcel llegan automáticamente al DHS a "
        "través del FBI; ningún condado puede excluirse. “Compartir datos” significa compartir "
        "más allá de ese mínimo.",
    ),
    "IGSA": (
        "IGSA (acuerdo intergubernamental de servicios)",
        "Un contrato por el que un condado, una ciudad o un estado acepta retener en su cárcel a "
        "personas bajo custodia de ICE a cambio de una tarifa diaria que paga ICE. Cooperación "
        "local: lo firma el gobierno local.",
    ),
    "DIGSA": (
        "DIGSA (IGSA exclusivo)",
        "Un IGSA para un centro que se usa solo para personas detenidas por ICE, a menudo "
        "administrado por una empresa privada bajo el acuerdo del gobierno local (el condado "
        "firma y un contratista lo opera).",
    ),
    "USMS IGA": (
        "USMS IGA (acuerdo con los U.S. Marshals)",
        "La cárcel retiene a personas para ICE bajo su acuerdo con el Servicio de Alguaciles de "
        "EE. UU. (U.S. Marshals Service), que ICE utiliza. Cooperación local a través de un "
        "intermediario federal: la cárcel local las retiene.",
    ),
    "CDF": (
        "CDF (centro de detención por contrato)",
        "Un centro de detención administrado por una empresa privada con contrato directo con "
        "ICE; ningún gobierno local es parte.",
    ),
    "SPC": (
        "SPC (centro de procesamiento de servicio)",
        "Un centro de detención propiedad de ICE. Detención federal en el condado, no cooperación "
        "del condado.",
    ),
    "ADP": (
        "ADP (población diaria promedio)",
        "El número promedio de personas retenidas en un día. Los libros de ICE la dan para el "
        "año fiscal hasta la extracción de datos (la suma de sus niveles de seguridad A-D); las "
        "cifras mensuales de aquí son el promedio de los recuentos diarios del Deportation Data "
        "Project.",
    ),
    "sanctuary": (
        "“Santuario”",
        "No tiene definición legal; este sitio usa los campos descriptivos de arriba. Las listas "
        "federales son acusaciones, y la lista del DHS se retiró pocos días después de "
        "publicarse por contener errores.",
    ),
}

CAVEATS: list[str] = [
    "“Se desconoce” no es “no”. En nuestras fuentes no hay datos por condado sobre la "
    "retención por solicitudes de ICE (detainers), el aviso de la fecha de salida ni el acceso "
    "a la cárcel. Donde una ley estatal resuelve la cuestión en todo el estado, el condado la "
    "hereda y la base lo indica; en los demás lugares, el valor se desconoce.",
    "La lista de ICE más reciente aquí es del {as_of}. El programa ha crecido desde entonces: "
    "un recuento público halló unos 2,510 acuerdos activos en octubre de 2026. El personal "
    "añade las listas de ICE más nuevas a medida que se publican.",
    "Las leyes estatales provienen de lecturas de cada ley (cita, fechas, la disposición y una "
    "cita textual) escritas por asistentes de investigación y no revisadas por una persona. "
    "Cada valor indica cómo se verificó: cotejado con el texto de la ley, de una fuente "
    "secundaria (un resumen) o un borrador sin verificar. Una ley cuenta para un mes solo si "
    "estuvo vigente durante todo el mes; una lectura cuya fecha de vigencia no está "
    "establecida no cuenta para ningún mes, y el perfil la nombra.",
    "Las listas federales de “santuarios” de 2025 son acusaciones del DHS y del DOJ, no "
    "hallazgos sobre la práctica. La lista del DHS se retiró pocos días después de publicarse "
    "por contener errores.",
    "Antes de febrero de 2025, ICE publicaba su lista solo como página web; los valores "
    "mensuales provienen de copias archivadas y pueden omitir filas que tenía la página.",
    "Detención de ICE: los libros de ICE solo listan los centros que retenían al menos a una "
    "persona el día de la extracción de datos, y los recuentos diarios solo los centros con "
    "personas. Un condado sin ningún centro registrado aparece como “ninguno registrado”, no "
    "como “sin acuerdo”: su cárcel puede tener un acuerdo sin retener a nadie. Las cifras de "
    "julio de 2026 son la lectura que hizo un tercero del libro de ICE, que no tenemos.",
    "Los condados siguen la geografía del Censo de 2017 (los 8 antiguos condados de "
    "Connecticut; Valdez-Cordova en Alaska). Los acuerdos de las policías municipales "
    "pertenecen al condado que ICE les asigna; las agencias estatales cubren todo el estado y "
    "no se pintan sobre ningún condado.",
]

# Publishers and terms in Spanish; names of publishers, repositories and projects stay as they
# are.
SOURCE_TERMS: dict[str, tuple[str, str]] = {
    "ice_287g": (
        "Servicio de Inmigración y Control de Aduanas de EE. UU. (ICE), listas de agencias "
        "participantes y pendientes en 287(g) (archivadas por RelevantResearch/287g-DetentionData)",
        "Obra del gobierno de EE. UU., dominio público",
    ),
    "state_laws": (
        "Posturas de las leyes estatales, recoveredfactory/287g-watch (redactadas con IA, sin "
        "revisar, 22 de septiembre de 2026)",
        "El repositorio no declara ninguna licencia",
    ),
    "sanctuary_designations": (
        "Página “Sanctuary Jurisdictions” del DHS (29 de mayo de 2025, retirada) y lista del DOJ "
        "(5 de agosto de 2025), transcritas para este proyecto",
        "Obra del gobierno de EE. UU., dominio público",
    ),
    "population": (
        "Oficina del Censo de EE. UU., estimaciones de población por condado y estado, "
        "Vintage 2024",
        "Obra del gobierno de EE. UU., dominio público",
    ),
    "geo": (
        "Límites de condados y estados de la Oficina del Censo de EE. UU. (2017) vía us-atlas "
        "3.0.1, simplificados y proyectados (Albers USA) por coopmap",
        "Censo: dominio público; us-atlas: ISC",
    ),
    "ice_detention": (
        "Libros de estadísticas de detención de ICE, años fiscales 2019-2026; población diaria "
        "por centro del Deportation Data Project; registro de centros de Detention System Data "
        "y su lectura del libro de ICE del 20 de julio de 2026",
        "ICE: obra del gobierno de EE. UU., dominio público; DDP y Detention System Data: CC0 1.0",
    ),
}

# Plotly's own interface words (the chart toolbar's tooltips, its hints), in the form plotly.js
# takes a locale (config ``locales``); month and day names come from Babel (``text.plotly_locale``).
PLOTLY: dict[str, str] = {
    "Download plot as a png": "Descargar el gráfico como PNG",
    "Download plot": "Descargar el gráfico",
    "Download plot as a PNG": "Descargar el gráfico como PNG",  # Streamlit's own button
    "Fullscreen": "Pantalla completa",  # Streamlit's own button
    "Close fullscreen": "Salir de pantalla completa",
    "Zoom": "Zoom",
    "Pan": "Desplazar",
    "Zoom in": "Acercar",
    "Zoom out": "Alejar",
    "Autoscale": "Escala automática",
    "Reset axes": "Restablecer los ejes",
    "Reset view": "Restablecer la vista",
    "Box Select": "Seleccionar con un rectángulo",
    "Lasso Select": "Seleccionar con un lazo",
    "Toggle Spike Lines": "Mostrar u ocultar las líneas guía",
    "Show closest data on hover": "Mostrar el dato más cercano al pasar el cursor",
    "Compare data on hover": "Comparar los datos al pasar el cursor",
    "Double-click to zoom back out": "Haga doble clic para volver a alejar",
    "Taking snapshot - this may take a few seconds": (
        "Tomando la imagen; esto puede tardar unos segundos"
    ),
    "Snapshot succeeded": "Imagen lista",
    "Sorry, there was a problem downloading your snapshot!": (
        "Hubo un problema al descargar la imagen."
    ),
    "Produced with Plotly.js": "Hecho con Plotly.js",
}
