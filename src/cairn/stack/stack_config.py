"""A stack as plain data, and the stack rebuilt from it without a registry.

A run's deployment carries :func:`stack_config` of its stack: for every component
its type, name, flavor, the import path of its flavor class, its id and its
configuration, with secret references (``{{name.key}}``) as written and plain
secret values masked. :func:`build_stack` turns that back into a live
:class:`~cairn.stack.stack.Stack` on any machine that has Cairn and the flavors'
packages: no ``registry.db``, no ``.cairn/`` folder, no active stack. References
are resolved where the step runs, through the stack's own secrets manager.
"""

from __future__ import annotations

import uuid as uuid_lib
from typing import TYPE_CHECKING

from cairn.enums import StackComponentType
from cairn.exceptions import ConfigurationError, FlavorError
from cairn.models.pipeline_spec import ComponentConfig, StackConfig

if TYPE_CHECKING:
    from cairn.stack.stack import Stack
    from cairn.stack.stack_component import StackComponent


def component_config(component: StackComponent) -> ComponentConfig:
    """One component as plain data (plain secret values masked and listed)."""
    from cairn.stack.secret_moves import plain_secret_fields

    cls = type(component)
    return ComponentConfig(
        type=component.TYPE.value,
        name=component.name,
        flavor=component.FLAVOR,
        source=f"{cls.__module__}:{cls.__qualname__}",
        uuid=str(component.uuid),
        config=component.config_dict(),
        masked=plain_secret_fields(component),
    )


def stack_config(stack: Stack) -> StackConfig:
    """The stack as plain data (see the module docs)."""
    return StackConfig(name=stack.name, components=[component_config(c) for c in stack])


def masked_components(config: StackConfig) -> list[str]:
    """``"<type> '<name>' (<fields>)"`` of every component that holds a plain secret."""
    return [
        f"{StackComponentType(c.type).cli_name} '{c.name}' ({', '.join(c.masked)})"
        for c in config.components
        if c.masked
    ]


def build_component(config: ComponentConfig) -> StackComponent:
    """The live component a :class:`ComponentConfig` describes.

    Raises:
        FlavorError: the flavor class cannot be imported here (the message says
            which package to install) or is not a flavor of the component's type.
        ConfigurationError: the component held a plain secret (masked in the
            deployment), or its configuration is invalid here.
    """
    from pydantic import ValidationError

    from cairn.stack.flavor_registry import base_class
    from cairn.stack.source_utils import load_source

    ctype = StackComponentType(config.type)
    what = f"{ctype.cli_name} '{config.name}' (flavor {config.flavor})"
    if config.masked:
        raise ConfigurationError(
            f"The {what} holds a plain secret in {', '.join(config.masked)}, which never leaves "
            "the machine that started the run: store it in a secrets manager and use a "
            "reference ({{secret.key}}) instead."
        )
    try:
        cls = load_source(config.source)
    except ModuleNotFoundError as exc:
        raise FlavorError(
            f"The {what} needs the module '{exc.name}', which is not installed where this step "
            f"runs: install the flavor's package there (for Cairn's own flavors: "
            f"pip install 'cairn[{config.flavor}]')."
        ) from exc
    base = base_class(ctype)
    if not (isinstance(cls, type) and issubclass(cls, base)):
        raise FlavorError(f"{config.source} is not a {ctype.cli_name} flavor class.")
    try:
        return cls(name=config.name, uuid=uuid_lib.UUID(config.uuid), **config.config)
    except ValidationError as exc:
        raise ConfigurationError(f"The {what} of the deployment is invalid here: {exc}") from exc


def build_stack(config: StackConfig) -> Stack:
    """The live stack a :class:`StackConfig` describes (see :func:`build_component`)."""
    from cairn.stack.stack import Stack

    components = [build_component(c) for c in config.components]
    return Stack.from_components(config.name, components)
