"""cairn.materializers."""
