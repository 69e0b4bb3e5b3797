"""cairn.integrations."""
