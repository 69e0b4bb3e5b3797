"""The compiled, serialisable form of a pipeline.

``@pipeline`` traces the user's function into a :class:`PipelineSpec`: plain data
(steps referenced by import path, parameters, edges, output names, types and
materializers, settings). Orchestrators and the step runner only ever see this
data (wrapped in a :class:`PipelineDeployment` that adds the run's identity and
options), so any step can run in another process or on another machine::

    spec = PipelineSpec.model_validate_json(spec.model_dump_json())
"""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from cairn.exceptions import PipelineDefinitionError


class _Spec(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class InputSpec(_Spec):
    """Where a step input comes from: output ``output`` of upstream step ``step``."""

    step: str
    output: str


class OutputSpec(_Spec):
    """One output of a step.

    Attributes:
        type: import path of the declared type (``module:QualName``), ``typing:Any`` if none.
        materializer: import path of the materializer class that saves and loads it.
        artifact_name: the name of the artifact versions it becomes.
        version: a given version (None: the next number).
        tags: tags of each version.
        run_metadata: metadata of each version.
        is_model_artifact: whether it is a model (linked to the run's model as such).
    """

    type: str
    materializer: str
    artifact_name: str | None = None
    version: str | None = None
    tags: list[str] = Field(default_factory=list)
    run_metadata: dict[str, Any] = Field(default_factory=dict)
    is_model_artifact: bool = False


class ExternalInputSpec(_Spec):
    """A step input that is not an upstream output: an artifact found when the run starts.

    Attributes:
        kind: ``name`` (an artifact version by name), ``id`` (an artifact by id),
            ``value`` (an ``ExternalArtifact`` value, saved when the run starts) or
            ``model`` (an artifact linked to a model version).
        name: the artifact's name (``name``, ``model``; the name to save a value under).
        version: the artifact version (None: the newest when the run starts).
        artifact_id: the artifact (``id``).
        model_name: the model (``model``).
        model_version: the model version: number, name or stage (``model``).
    """

    kind: str
    name: str | None = None
    version: str | None = None
    artifact_id: str | None = None
    model_name: str | None = None
    model_version: str | None = None


class ModelSpec(_Spec):
    """``Model(...)`` of a pipeline or step: which model version a run creates or uses.

    Attributes:
        name: the model's name.
        version: None for a new version per run; a number, a name, or a stage
            (``staging``, ``production``, ``latest``) to use an existing one (a
            name that does not exist yet is created).
        description: description of the model (set on creation).
        tags: tags of the model.
        properties: ZenML's descriptive fields (license, audience, ...), recorded as
            metadata of each version a run creates.
    """

    name: str
    version: str | None = None
    description: str | None = None
    tags: list[str] = Field(default_factory=list)
    properties: dict[str, Any] = Field(default_factory=dict)


#: The events a run hook can be attached to, in the order they can happen.
HOOK_EVENTS = ("on_start", "on_failure", "on_success", "on_end")


class HookSpec(_Spec):
    """A run hook: a function called when a step or a run starts, fails, succeeds or ends.

    Attributes:
        source: import path of the function (``module:qualname``).
        source_file: the file defining it, so another process can import a hook
            that lives in a script (``__main__``).
    """

    source: str
    source_file: str | None = None


class StepSpec(_Spec):
    """One step invocation of a pipeline.

    Attributes:
        name: unique name of the invocation in the pipeline (``train``, ``train_2``).
        source: import path of the step function (``module:function``).
        source_file: the file defining the step when it lives in ``__main__`` (so
            another process can import it by path), else ``None``.
        code_hash: sha256 of the step function's source code (part of the cache key).
        parameters: JSON values of the parameters (pydantic models dumped as JSON data).
        inputs: for each input argument, the upstream step and output it is bound to.
        outputs: the outputs, in declaration order.
        upstream: names of the steps that must finish first.
        hooks: the step's run hooks by event (``on_failure``, ``on_success``, ...).
        resources: what the step needs where it runs (``num_cpus``, ``num_gpus``,
            ``memory`` in bytes, custom resources by name), from
            ``@step(settings={"resources": {...}})``; orchestrators that place steps on
            a cluster honour it (Ray), the others ignore it.
    """

    name: str
    source: str
    source_file: str | None = None
    code_hash: str
    parameters: dict[str, Any] = Field(default_factory=dict)
    inputs: dict[str, InputSpec] = Field(default_factory=dict)
    outputs: dict[str, OutputSpec] = Field(default_factory=dict)
    upstream: list[str] = Field(default_factory=list)
    enable_cache: bool | None = None
    retries: int = 0
    timeout: float | None = None
    step_operator: str | None = None
    experiment_tracker: str | None = None
    hooks: dict[str, HookSpec] = Field(default_factory=dict)
    external_inputs: dict[str, ExternalInputSpec] = Field(default_factory=dict)
    model: ModelSpec | None = None
    resources: dict[str, Any] = Field(default_factory=dict)


class PipelineSpec(_Spec):
    """A compiled pipeline: its steps in a topological order.

    Attributes:
        name: the pipeline's name.
        source: import path of the pipeline function.
        parameters: the pipeline parameters the spec was compiled with.
        enable_cache: the pipeline-level default (``@pipeline(enable_cache=...)``).
        steps: the step invocations keyed by name, upstream steps first.
        hooks: the run's hooks by event (called once per run, not per step).
    """

    name: str
    source: str = ""
    parameters: dict[str, Any] = Field(default_factory=dict)
    enable_cache: bool | None = None
    steps: dict[str, StepSpec] = Field(default_factory=dict)
    hooks: dict[str, HookSpec] = Field(default_factory=dict)
    model: ModelSpec | None = None

    def downstream(self) -> dict[str, list[str]]:
        """For each step, the steps that consume one of its outputs (or must wait for it)."""
        out: dict[str, list[str]] = {name: [] for name in self.steps}
        for name, step in self.steps.items():
            for up in step.upstream:
                out[up].append(name)
        return out

    def validate_dag(self) -> None:
        """Check edges point at existing steps and outputs and that there is no cycle.

        Raises:
            PipelineDefinitionError: naming the offending step and edge.
        """
        for name, step in self.steps.items():
            for arg, source in step.inputs.items():
                upstream = self.steps.get(source.step)
                if upstream is None:
                    raise PipelineDefinitionError(
                        f"Step '{name}' input '{arg}' comes from unknown step '{source.step}'."
                    )
                if source.output not in upstream.outputs:
                    raise PipelineDefinitionError(
                        f"Step '{name}' input '{arg}' uses output '{source.output}' of step "
                        f"'{source.step}', which has outputs: {', '.join(upstream.outputs)}."
                    )
            for up in step.upstream:
                if up not in self.steps:
                    raise PipelineDefinitionError(f"Step '{name}' runs after unknown step '{up}'.")
        self.topological_order()

    def topological_order(self) -> list[str]:
        """The step names in an order where every step follows its upstream steps.

        Raises:
            PipelineDefinitionError: when the steps form a cycle.
        """
        remaining = {name: set(step.upstream) for name, step in self.steps.items()}
        order: list[str] = []
        ready = [name for name, ups in remaining.items() if not ups]
        downstream = self.downstream()
        while ready:
            name = ready.pop(0)
            order.append(name)
            for child in downstream[name]:
                remaining[child].discard(name)
                if not remaining[child]:
                    ready.append(child)
        if len(order) != len(self.steps):
            cycle = sorted(set(self.steps) - set(order))
            raise PipelineDefinitionError(
                f"Pipeline '{self.name}' has a cycle between steps: {', '.join(cycle)}."
            )
        return order


class ComponentConfig(_Spec):
    """One component of a deployment's stack, enough to rebuild it anywhere.

    Attributes:
        type: the component type (``orchestrator``, ``artifact_store``, ...).
        name: the component's name.
        flavor: the flavor name.
        source: import path of the flavor class (``module:Class``).
        uuid: the component's id (names its local folder and services).
        config: the configuration; secret references (``{{name.key}}``) as written.
        masked: secret fields that held a plain value, masked here (a component
            with any cannot be rebuilt from the deployment).
    """

    type: str
    name: str
    flavor: str
    source: str
    uuid: str
    config: dict[str, Any] = Field(default_factory=dict)
    masked: list[str] = Field(default_factory=list)


class StackConfig(_Spec):
    """A stack as plain data: what a worker needs to rebuild it without a registry."""

    name: str
    components: list[ComponentConfig] = Field(default_factory=list)

    def component(self, type: str) -> ComponentConfig | None:
        """The component of ``type``, if the stack has one."""
        return next((c for c in self.components if c.type == type), None)


class CodeSource(_Spec):
    """Where a worker finds the pipeline's code.

    Attributes:
        mode: ``local`` (the source root on the machine that started the run: steps
            run there, or on a shared file system), ``archive`` (packed into the
            artifact store; workers unpack it) or ``present`` (already importable on
            every worker, e.g. baked into an image).
        root: the source root on the machine that started the run.
        archive_uri: the packed code (``archive`` mode).
        digest: sha256 of the packed files (names the archive and the worker's cache).
    """

    mode: str = "local"
    root: str = ""
    archive_uri: str | None = None
    digest: str | None = None


class PipelineDeployment(_Spec):
    """A pipeline spec plus everything a particular run adds to it.

    Attributes:
        run_id: the run's id in the metadata store.
        run_name: the run's unique, human-readable name.
        pipeline: the compiled pipeline.
        stack_name: the stack the run uses.
        enable_cache: ``run(enable_cache=...)`` (overrides step and pipeline settings).
        runtime_options: the other keyword arguments of ``run(...)``.
        schedule: ``run(schedule=...)``, for orchestrators that schedule runs.
        external_artifacts: for each step, its external inputs resolved to artifact ids
            when the run started (argument name -> artifact id).
        model_versions: the model version id of each step that has a model (the
            pipeline's, or the step's own).
        stack: the stack's configuration (every component's flavor and config,
            secrets as references): a step rebuilds the stack from it, with no registry.
        code: where the pipeline's code comes from.
        cairn_version: the Cairn version that made the deployment.
        python_version: ``major.minor.micro`` of the Python that made it.
        requirements: pip requirements of the stack's components.
    """

    run_id: str
    run_name: str
    pipeline: PipelineSpec
    stack_name: str = ""
    enable_cache: bool | None = None
    runtime_options: dict[str, Any] = Field(default_factory=dict)
    schedule: Any = None
    external_artifacts: dict[str, dict[str, str]] = Field(default_factory=dict)
    model_versions: dict[str, str] = Field(default_factory=dict)
    stack: StackConfig | None = None
    code: CodeSource = Field(default_factory=CodeSource)
    cairn_version: str = ""
    python_version: str = ""
    requirements: list[str] = Field(default_factory=list)

    def step(self, name: str) -> StepSpec:
        """The spec of step ``name``."""
        try:
            return self.pipeline.steps[name]
        except KeyError as exc:
            raise PipelineDefinitionError(
                f"Run '{self.run_name}' has no step '{name}'; its steps are: "
                f"{', '.join(self.pipeline.steps)}."
            ) from exc

    def cache_enabled(self, name: str) -> bool:
        """Whether step ``name`` may be reused: run > step > pipeline setting, default on."""
        for setting in (
            self.enable_cache,
            self.step(name).enable_cache,
            self.pipeline.enable_cache,
        ):
            if setting is not None:
                return setting
        return True


__all__ = [
    "HOOK_EVENTS",
    "CodeSource",
    "ComponentConfig",
    "ExternalInputSpec",
    "HookSpec",
    "InputSpec",
    "ModelSpec",
    "OutputSpec",
    "PipelineDeployment",
    "PipelineSpec",
    "StackConfig",
    "StepSpec",
]
