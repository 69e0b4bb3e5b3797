"""Alembic revisions of the metadata store, one file per schema change."""
