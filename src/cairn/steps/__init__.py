"""cairn.steps."""
