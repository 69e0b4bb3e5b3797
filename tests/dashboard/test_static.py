"""The assets served from the package: vendored dagre unchanged, with its licence; no CDN."""

from __future__ import annotations

import hashlib
import re
from pathlib import Path

STATIC = Path(__file__).resolve().parents[2] / "src" / "cairn" / "dashboard" / "static"
DAGRE_SHA256 = "54a503e346f93ca0bb10abe7999587e037262935687aca45eb4e4b0f64bbb578"


def test_vendored_dagre_is_the_published_file_with_its_licence() -> None:
    data = (STATIC / "vendor" / "dagre.min.js").read_bytes()
    assert hashlib.sha256(data).hexdigest() == DAGRE_SHA256
    assert DAGRE_SHA256 in (STATIC / "vendor" / "README.md").read_text()
    licence = (STATIC / "vendor" / "dagre.LICENSE").read_text()
    assert "Permission is hereby granted" in licence and "Chris Pettitt" in licence


def test_pages_load_nothing_from_elsewhere() -> None:
    for name in ("index.html", "app.js", "app.css"):
        text = (STATIC / name).read_text()
        urls = re.findall(r"https?://[^\s\"'`)]+", text)
        assert urls == [] or all(u.startswith("http://www.w3.org/2000/svg") for u in urls), name
    html = (STATIC / "index.html").read_text()
    assert re.findall(r'src="([^"]+)"', html) == ["/static/vendor/dagre.min.js", "/static/app.js"]
