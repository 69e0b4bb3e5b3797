"""cairn.entrypoints."""
