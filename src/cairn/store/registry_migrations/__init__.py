"""Alembic environment and revisions of the registry (see :mod:`cairn.store.registry_migrate`)."""
