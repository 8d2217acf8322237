"""The baseline the benchmarks compare coopmap with: what a tutorial's county map does.

Reads the full-resolution us-atlas county shapes and the Census population file on every run
(no caching), converts the TopoJSON to GeoJSON with geopandas and draws it with
``px.choropleth``. The only concession is that plotly's base-map files are served by the app
itself (``static/plotly_topojson``), because the browser in the benchmark has no internet and a
plotly geo map without them stays blank.

The harness (bench/pageload.py) copies this file into a temporary folder next to a ``static/``
copy of ``data/sources/geo/plotly_topojson``, sets COOPMAP_BENCH_ROOT to the checkout and runs
``streamlit run baseline_app.py --server.enableStaticServing true`` there, with Streamlit's
default settings otherwise (the project's .streamlit/config.toml is not read).
"""

import json
import os
from pathlib import Path

import geopandas as gpd
import pandas as pd
import plotly.express as px
import streamlit as st

ROOT = Path(os.environ.get("COOPMAP_BENCH_ROOT", Path(__file__).resolve().parents[1]))
GEO = ROOT / "data" / "sources" / "geo"
POPULATION = ROOT / "data" / "sources" / "population" / "co-est2024-alldata.csv"

st.title("US counties: population 2024")

shapes = gpd.read_file(GEO / "counties-10m.json", layer="counties")
# Falls Church VA has no shape in this vintage; plotly.js throws on a null geometry.
counties = json.loads(shapes[~shapes.is_empty].to_json())
pop = pd.read_csv(POPULATION, encoding="latin-1", dtype={"STATE": str, "COUNTY": str})
pop = pop[pop["SUMLEV"] == 50]
pop["fips"] = pop["STATE"] + pop["COUNTY"]

fig = px.choropleth(pop, geojson=counties, locations="fips", featureidkey="properties.id",
                    color="POPESTIMATE2024", color_continuous_scale="Viridis",
                    range_color=(0, 500_000), scope="usa", hover_name="CTYNAME",
                    labels={"POPESTIMATE2024": "population"})
fig.update_layout(margin={"r": 0, "t": 0, "l": 0, "b": 0})
st.plotly_chart(fig, config={"topojsonURL": "/app/static/plotly_topojson/"})
