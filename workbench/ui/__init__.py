"""The Streamlit front end: the only package (with app.py) that imports Streamlit."""
