"""Building the s3fs filesystem (the only module of the flavor that imports s3fs)."""

from __future__ import annotations

from typing import Any

from cairn.exceptions import IntegrationError


def make_s3_filesystem(**options: Any) -> Any:
    """A fresh (not cached) ``s3fs.S3FileSystem``.

    Raises:
        IntegrationError: s3fs is not installed (naming the extra to install).
    """
    try:
        import s3fs
    except ImportError as exc:
        raise IntegrationError(
            "The s3 artifact store needs s3fs: pip install 'cairn[s3]'."
        ) from exc
    kwargs = {k: v for k, v in options.items() if v not in (None, {})}
    kwargs.setdefault("anon", False)
    return s3fs.S3FileSystem(skip_instance_cache=True, **kwargs)
