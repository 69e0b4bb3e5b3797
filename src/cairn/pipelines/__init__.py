"""Pipelines: ``@pipeline`` traces a function calling steps into a runnable DAG."""

from cairn.pipelines.pipeline import ConfiguredPipeline, Pipeline, pipeline

__all__ = ["ConfiguredPipeline", "Pipeline", "pipeline"]
