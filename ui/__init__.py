"""Shared Streamlit widgets, filters and the one chart theme. Pages import from here."""
