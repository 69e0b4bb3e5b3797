"""Importing the metadata stores, the client and the materializers stays light."""

from __future__ import annotations

import subprocess
import sys


def test_no_heavy_imports() -> None:
    code = (
        "import sys\n"
        "import cairn.client, cairn.materializers, cairn.metadata_stores\n"
        "from cairn.metadata_stores import SQLiteMetadataStore\n"
        "SQLiteMetadataStore(name='m', uri='unused.db')\n"
        "heavy = {'sqlalchemy', 'alembic', 'numpy', 'pandas', 'pyarrow'} & set(sys.modules)\n"
        "assert not heavy, heavy\n"
    )
    subprocess.run([sys.executable, "-c", code], check=True, timeout=60)
