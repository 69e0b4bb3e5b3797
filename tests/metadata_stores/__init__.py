"""Tests of cairn.metadata_stores."""
