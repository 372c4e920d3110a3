"""The Streamlit app: navigation over the pages in workbench/ui/pages and the shared sidebar."""

import streamlit as st

from workbench.ui import filters

st.set_page_config(page_title="Analyst workbench", layout="wide")
pages = st.navigation(
    [
        st.Page("workbench/ui/pages/geography.py", title="Geography", icon=":material/public:", default=True),
        st.Page("workbench/ui/pages/sessions.py", title="Sessions", icon=":material/list_alt:"),
        st.Page("workbench/ui/pages/segments.py", title="Segments", icon=":material/filter_alt:"),
        st.Page("workbench/ui/pages/dashboard.py", title="Dashboard", icon=":material/dashboard:"),
        st.Page("workbench/ui/pages/events.py", title="Events", icon=":material/bolt:"),
        st.Page("workbench/ui/pages/console.py", title="API console", icon=":material/terminal:"),
        st.Page("workbench/ui/pages/data.py", title="Data", icon=":material/database:"),
    ]
)  # fmt: skip
filters.shared()  # drawn here, the filters are the same widgets on every page
pages.run()
