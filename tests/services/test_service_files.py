"""Where a local service keeps its files."""

from __future__ import annotations

from pathlib import Path

import pytest

from cairn.services.local_service import LocalService
from cairn.services.service_files import service_folder, service_log_file, services_dir


def test_the_log_is_the_one_the_service_writes(tmp_path: Path) -> None:
    assert service_log_file("svc") == LocalService("svc").log_file
    assert service_log_file("svc").parent == services_dir() / "svc"
    assert service_log_file("svc", tmp_path) == LocalService("svc", tmp_path).log_file


@pytest.mark.parametrize("bad", ["", "a/b", ".hidden"])
def test_an_id_must_be_one_plain_folder_name(bad: str) -> None:
    with pytest.raises(ValueError, match="Invalid service id"):
        service_folder(bad)
    with pytest.raises(ValueError, match="Invalid service id"):
        LocalService(bad)
