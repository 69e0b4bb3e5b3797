"""cairn.services."""
