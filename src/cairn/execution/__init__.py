"""cairn.execution."""
