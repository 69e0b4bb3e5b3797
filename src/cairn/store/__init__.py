"""Persistence: the registry store (stacks, components, flavors) and its migrations."""
