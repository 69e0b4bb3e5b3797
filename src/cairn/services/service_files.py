"""Where a local service keeps its files: ``<config_dir>/services/<id>/``.

The folder holds ``service.json`` (the service's state) and ``service.log`` (the
daemon's stdout and stderr). Kept apart from :mod:`cairn.services.local_service`
(which starts and stops processes) so that reading a service's log, as ``cairn
<type> logs`` does, imports none of that machinery.
"""

from __future__ import annotations

from pathlib import Path

from cairn.config import config_dir

STATE_FILE = "service.json"
LOG_FILE = "service.log"


def services_dir() -> Path:
    """Folder holding one sub-folder per local service."""
    return config_dir() / "services"


def service_folder(service_id: str, root: Path | None = None) -> Path:
    """The folder of service ``service_id`` under ``root`` (default: :func:`services_dir`).

    Raises:
        ValueError: ``service_id`` is not a plain folder name.
    """
    if not service_id or "/" in service_id or service_id.startswith("."):
        raise ValueError(f"Invalid service id {service_id!r}.")
    return (root or services_dir()) / service_id


def service_log_file(service_id: str, root: Path | None = None) -> Path:
    """The log file of service ``service_id`` (whether or not it exists yet)."""
    return service_folder(service_id, root) / LOG_FILE
