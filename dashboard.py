"""coopmap's entry script: page configuration and navigation over the page files in app_pages/.

Run with ``streamlit run dashboard.py``. Each page is a file, so tests can switch to it.
"""

from pathlib import Path

import streamlit as st

from coopmap.text import t
from coopmap.ui import guards, language

# No visitor can empty the caches of every visitor (Streamlit's "clear cache" message).
guards.refuse_clear_cache()

# The visitor's language for this run (URL, session, then browser), before any text is made.
language.apply()

HERE = Path(__file__).parent
PAGES = HERE / "app_pages"

# A local favicon: a material-icon page_icon would be fetched from Google Fonts (not offline).
st.set_page_config(page_title=t("app.title"), page_icon=str(HERE / "static" / "favicon.png"),
                   layout="wide",
                   initial_sidebar_state="collapsed")

pages = [
    st.Page(PAGES / "map.py", title=t("page.map"), icon=":material/map:", default=True,
            url_path="map"),
    st.Page(PAGES / "profile.py", title=t("page.profile"), icon=":material/location_on:",
            url_path="profile"),
    st.Page(PAGES / "compare.py", title=t("page.compare"), icon=":material/compare:",
            url_path="compare"),
    st.Page(PAGES / "trends.py", title=t("page.trends"), icon=":material/trending_up:",
            url_path="trends"),
    st.Page(PAGES / "about.py", title=t("page.about"), icon=":material/info:", url_path="about"),
]
# The staff page belongs to the staff engineer; it is listed only when its file exists.
if (PAGES / "staff.py").exists():
    pages.append(st.Page(PAGES / "staff.py", title=t("page.staff"), icon=":material/lock:",
                         url_path="staff"))

page = st.navigation(pages, position="top")
language.switch()
page.run()
