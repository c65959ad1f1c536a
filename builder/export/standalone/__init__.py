"""Files copied verbatim into a run bundle; they import nothing from ``builder``."""
