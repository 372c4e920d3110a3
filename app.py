"""The Streamlit app: navigation over the pages in workbench/ui/pages; nothing else."""

import streamlit as st

st.set_page_config(page_title="Analyst workbench", layout="wide")
st.navigation([st.Page("workbench/ui/pages/overview.py", title="Overview", default=True)]).run()
