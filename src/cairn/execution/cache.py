"""Step caching: the cache key and the decision whether a step may be reused.

The cache key of a step is::

    sha256(canonical_json({
        "version": CACHE_KEY_VERSION,
        "code": sha256 of the step function's source code,
        "parameters": the step's parameters (JSON values, keys sorted),
        "inputs": {input name: content hash of the input artifact},
        "outputs": {output name: [declared type, materializer import path]},
        "artifact_store": "<flavor>:<path>" of the stack's artifact store,
    }))

so it changes when the code, a parameter, the *content* of an input (not its
location or the run that produced it), an output name, a materializer or the
artifact store the outputs live in changes, and nothing else. (After a switch
to a stack with another artifact store, steps run again instead of "reusing"
outputs that the new stack cannot reach.) A step is reused when caching is enabled for it and
an earlier completed (or cached) step run has the same key.

Whether caching is enabled: ``run(enable_cache=...)`` if given, else
``@step(enable_cache=...)`` if given, else ``@pipeline(enable_cache=...)`` if
given, else enabled.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping

from cairn.models.pipeline_spec import PipelineDeployment, StepSpec

CACHE_KEY_VERSION = 2


def cache_key(step: StepSpec, input_hashes: Mapping[str, str], artifact_store: str = "") -> str:
    """The cache key of ``step`` given the content hashes of its inputs (see module docs).

    Args:
        step: the step.
        input_hashes: content hashes of its input artifacts, by input name.
        artifact_store: identity of the artifact store (``<flavor>:<path>``).
    """
    payload = {
        "artifact_store": artifact_store,
        "version": CACHE_KEY_VERSION,
        "code": step.code_hash,
        "parameters": step.parameters,
        "inputs": dict(input_hashes),
        "outputs": {name: [o.type, o.materializer] for name, o in step.outputs.items()},
    }
    text = json.dumps(payload, sort_keys=True, separators=(",", ":"), default=str)
    return hashlib.sha256(text.encode()).hexdigest()


def cache_setting(deployment: PipelineDeployment, step_name: str) -> tuple[bool, str]:
    """Whether caching is enabled for a step, and which setting decided it."""
    step = deployment.step(step_name)
    settings = (
        (deployment.enable_cache, "run(enable_cache=...)"),
        (step.enable_cache, "@step(enable_cache=...)"),
        (deployment.pipeline.enable_cache, "@pipeline(enable_cache=...)"),
    )
    for value, origin in settings:
        if value is not None:
            return value, origin
    return True, "the default"
