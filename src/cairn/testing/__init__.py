"""cairn.testing."""
