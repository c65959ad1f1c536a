"""The experiment: its one serialisable description, the presets, the network summary, links and files."""
