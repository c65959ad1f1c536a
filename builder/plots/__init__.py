"""Plotly figure builders, one look for every page: data in, ``go.Figure`` out."""
