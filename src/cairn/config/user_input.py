"""Reading files and YAML that a user hands to Cairn, with one clear error for bad input.

Every problem (missing, unreadable, too large, not UTF-8, not YAML, a key given
twice, nested too deeply) is a :class:`~cairn.exceptions.ConfigurationError`
naming the file and what is wrong, before anything is changed.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from cairn.exceptions import ConfigurationError

#: The largest parameter or configuration file read (bytes).
MAX_INPUT_BYTES = 1024 * 1024
#: The deepest nesting of YAML mappings and lists accepted.
MAX_YAML_DEPTH = 50


def read_text_file(path: str | Path, what: str, limit: int = MAX_INPUT_BYTES) -> str:
    """The text of a small UTF-8 file.

    Args:
        path: the file.
        what: what the file is, for messages (e.g. ``parameter file``).
        limit: the largest size read, in bytes.

    Raises:
        ConfigurationError: the file cannot be read, is larger than ``limit`` or
            is not UTF-8 text.
    """
    file = Path(path).expanduser()
    try:
        with file.open("rb") as handle:
            data = handle.read(limit + 1)
    except OSError as exc:
        reason = exc.strerror or str(exc)
        raise ConfigurationError(f"Cannot read {what} {file}: {reason}.") from exc
    if len(data) > limit:
        raise ConfigurationError(
            f"The {what} {file} is larger than {limit // 1024} KiB: give a smaller file."
        )
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise ConfigurationError(
            f"The {what} {file} is not UTF-8 text (byte {exc.start} cannot be decoded)."
        ) from exc


def load_yaml(text: str, source: str) -> Any:
    """Parse YAML text, refusing duplicate keys and very deep nesting.

    Raises:
        ConfigurationError: naming ``source`` and the line of the problem.
    """
    import yaml

    class _Loader(yaml.SafeLoader):
        pass

    def mapping(loader: yaml.SafeLoader, node: yaml.MappingNode) -> dict[Any, Any]:
        seen: dict[Any, Any] = {}
        for key_node, value_node in node.value:
            key = loader.construct_object(key_node, deep=True)
            if key in seen:
                line = key_node.start_mark.line + 1
                raise ConfigurationError(
                    f"{source}:{line}: the key {key!r} is given twice; keep one of them."
                )
            seen[key] = loader.construct_object(value_node, deep=True)
        return seen

    _Loader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, mapping)
    _check_depth(text, source)
    try:
        return yaml.load(text, Loader=_Loader)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f"{source}:{mark.line + 1}" if mark is not None else source
        problem = getattr(exc, "problem", None) or str(exc).splitlines()[0]
        raise ConfigurationError(f"{where}: not valid YAML: {problem}.") from exc
    except RecursionError as exc:
        raise ConfigurationError(f"{source}: the YAML is nested too deeply.") from exc


def _check_depth(text: str, source: str) -> None:
    """Refuse YAML nested deeper than :data:`MAX_YAML_DEPTH` (before parsing it)."""
    import yaml

    depth = 0
    try:
        for event in yaml.parse(text, Loader=yaml.SafeLoader):
            if isinstance(event, yaml.CollectionStartEvent):
                depth += 1
                if depth > MAX_YAML_DEPTH:
                    line = event.start_mark.line + 1 if event.start_mark else 0
                    raise ConfigurationError(
                        f"{source}:{line}: the YAML is nested more than {MAX_YAML_DEPTH} levels "
                        "deep."
                    )
            elif isinstance(event, yaml.CollectionEndEvent):
                depth -= 1
    except yaml.YAMLError:
        return  # reported with its line by the parser proper
