"""S3 integration (``pip install 'cairn[s3]'``).

Flavor: the ``s3`` artifact store (``path=s3://bucket/prefix``) on AWS S3 or any
S3-compatible server (MinIO, Ceph, R2, ...) through ``s3fs``. s3fs is imported
only when the store's filesystem is first used.
"""

S3_INTEGRATION = "s3"

__all__ = ["S3_INTEGRATION"]
