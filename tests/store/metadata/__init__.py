"""Tests of cairn.store.metadata."""
