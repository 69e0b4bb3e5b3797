"""cairn.client."""
