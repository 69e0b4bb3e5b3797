"""Feast integration (``pip install 'cairn[feast]'``, which includes ``feast[redis]``).

Flavor: the ``feast`` feature store, over a Feast feature repository (local
provider: file offline store, SQLite or Redis online store). ``import feast``
takes seconds, so it happens only inside the methods that use the store: never
on the CLI's path or when flavors are listed.
"""

FEAST_INTEGRATION = "feast"

__all__ = ["FEAST_INTEGRATION"]
