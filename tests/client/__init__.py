"""Tests of cairn.client."""
