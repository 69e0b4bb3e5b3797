"""Conformance suites: test base classes that every flavor (ours or a plugin's) runs.

Subclass a suite in your test module, name the subclass ``Test...`` so pytest
collects it, and implement its factory method::

    from cairn.artifact_stores import LocalArtifactStore
    from cairn.testing import ArtifactStoreConformance

    class TestLocalArtifactStore(ArtifactStoreConformance):
        def make_store(self):
            return LocalArtifactStore(name="conformance", path=self.temporary_directory())

Suites: :class:`StackComponentConformance` (any flavor),
:class:`AlerterConformance` (an alerter against a receiver the test runs),
:class:`ArtifactStoreConformance` (the artifact store file API),
:class:`OrchestratorConformance` (an orchestrator flavor running real pipelines),
:class:`RegistryStoreConformance` (a registry store backend) and
:class:`SecretsManagerConformance` (a writable secrets manager). The metadata store
contract, which uses pytest fixtures, is imported on its own:
``from cairn.testing.metadata_store_contract import MetadataStoreContract``.

The suites use pytest's xunit-style ``setup_method``/``teardown_method`` and
plain ``assert`` statements, so importing :mod:`cairn.testing` does not import
pytest; running them needs pytest (or any runner that honours those hooks).
"""

from __future__ import annotations

from cairn.testing.alerter_conformance import AlerterConformance
from cairn.testing.artifact_store_conformance import ArtifactStoreConformance
from cairn.testing.orchestrator_conformance import OrchestratorConformance
from cairn.testing.registry_store_conformance import RegistryStoreConformance
from cairn.testing.secrets_manager_conformance import SecretsManagerConformance
from cairn.testing.stack_component_conformance import StackComponentConformance

__all__ = [
    "AlerterConformance",
    "ArtifactStoreConformance",
    "OrchestratorConformance",
    "RegistryStoreConformance",
    "SecretsManagerConformance",
    "StackComponentConformance",
]
