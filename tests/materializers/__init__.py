"""Tests of cairn.materializers."""
