"""Google Cloud integration (``pip install 'cairn[gcp]'``).

Flavor: the ``gcp`` artifact store (``path=gs://bucket/prefix``) on Google Cloud
Storage through ``gcsfs``, imported only when used.
"""

GCP_INTEGRATION = "gcp"

__all__ = ["GCP_INTEGRATION"]
