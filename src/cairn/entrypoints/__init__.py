"""Entrypoints: ``python -m cairn.entrypoints.step`` runs one step of a recorded run."""
