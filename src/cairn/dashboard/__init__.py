"""cairn.dashboard."""
