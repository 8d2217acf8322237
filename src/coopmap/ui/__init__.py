"""The Streamlit side of coopmap: caching wrappers, shared widgets and URL state.

Only this package (and the page scripts) import Streamlit; ``ui.queries`` stays pure pandas.
"""
