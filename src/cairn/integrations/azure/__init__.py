"""Azure integration (``pip install 'cairn[azure]'``).

Flavor: the ``azure`` artifact store (``path=az://container/prefix``) on Azure
Blob Storage or ADLS Gen2 through ``adlfs``, imported only when used.
"""

AZURE_INTEGRATION = "azure"

__all__ = ["AZURE_INTEGRATION"]
