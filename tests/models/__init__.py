"""Tests of cairn.models."""
