"""Ray integration (``pip install 'cairn[ray]'``): the ``ray`` orchestrator and step operator.

Nothing here imports Ray until a step is dispatched: the flavors are listed and
configured without it.
"""
