"""The model control plane (ZenML's ``zenml.model``, after the rename)."""

from __future__ import annotations

from cairn.execution.model import Model

__all__ = ["Model"]
