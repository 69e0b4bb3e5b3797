"""Experiment trackers: track ML experiments from within steps."""

from cairn.experiment_trackers.base_experiment_tracker import BaseExperimentTracker

__all__ = ["BaseExperimentTracker"]
