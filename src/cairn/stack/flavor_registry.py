"""One registry for every flavor: built-in, integration, user-registered and plugins.

Lookups go, in order, through the static catalog (``flavor_catalog``), the custom
flavors in the registry store and the ``cairn.flavors`` entry-point group. A
flavor's class is imported only when it is used; listing flavors imports nothing
but plugins, and a plugin that fails to load is reported, never raised.
"""

from __future__ import annotations

import builtins
import importlib.util
import inspect
import os
import sys
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from cairn.enums import StackComponentType
from cairn.exceptions import EntityExistsError, FlavorError, IntegrationError
from cairn.stack.flavor_catalog import BASE_CLASSES, CatalogEntry, catalog
from cairn.stack.source_utils import ensure_source_root, load_source, split_source
from cairn.store.records import FlavorRecord

if TYPE_CHECKING:
    from cairn.stack.stack_component import StackComponent
    from cairn.store.registry_store import RegistryStore

ENTRY_POINT_GROUP = "cairn.flavors"


@dataclass(frozen=True)
class FlavorInfo:
    """What ``flavor list`` shows of one flavor.

    Attributes:
        type: the component type; ``None`` only for a broken plugin whose type
            cannot be told from its entry-point name.
        origin: ``builtin``, ``integration``, ``custom`` or ``plugin``.
        integration: the extra to install (integration flavors) or the
            distribution that provides a plugin.
        usable: whether the flavor can be used here; ``problem`` says why not.
    """

    type: StackComponentType | None
    name: str
    source: str
    origin: str
    integration: str | None = None
    usable: bool = True
    problem: str | None = None

    def as_dict(self) -> dict[str, Any]:
        """JSON-ready form (``--output json``)."""
        return {
            "type": self.type.value if self.type else None, "name": self.name,
            "source": self.source, "origin": self.origin, "integration": self.integration,
            "usable": self.usable, "problem": self.problem,
        }  # fmt: skip


def _module_available(name: str) -> bool:
    """Whether a module can be found; for a dotted name its parents get imported."""
    try:
        return importlib.util.find_spec(name) is not None
    except Exception:  # a broken parent package must not break `flavor list`
        return False


def _catalog_info(entry: CatalogEntry) -> FlavorInfo:
    missing = [m for m in entry.modules if not _module_available(m)]
    problem = f"needs {', '.join(missing)}: {entry.install_hint}" if missing else None
    origin = "integration" if entry.integration else "builtin"
    return FlavorInfo(entry.type, entry.name, entry.source, origin, entry.integration,
                      not missing, problem)  # fmt: skip


def _custom_info(record: FlavorRecord) -> FlavorInfo:
    module, _ = split_source(record.source)
    ensure_source_root()
    usable = _module_available(module)
    problem = None if usable else f"module '{module}' cannot be found from here"
    return FlavorInfo(record.type, record.name, record.source, "custom", None, usable, problem)


def _is_builtin(type: StackComponentType, name: str) -> bool:
    return any(e.type == type and e.name == name for e in catalog())


def _entry_point_infos(ep: Any) -> list[FlavorInfo]:
    """The flavors one entry point provides (a class or a list of classes)."""
    dist = getattr(ep.dist, "name", None) if ep.dist else None
    loaded = ep.load()
    infos = []
    for cls in loaded if isinstance(loaded, list | tuple) else [loaded]:
        validate_flavor_class(cls)
        source = f"{cls.__module__}:{cls.__qualname__}"
        clash = _is_builtin(cls.TYPE, cls.FLAVOR)
        problem = f"clashes with the built-in flavor '{cls.FLAVOR}'" if clash else None
        infos.append(FlavorInfo(cls.TYPE, cls.FLAVOR, source, "plugin", dist, not clash, problem))
    return infos


def _group_declared(group: str) -> bool:
    """Whether an installed distribution declares an entry point of ``group``.

    Reads the ``entry_points.txt`` files of ``sys.path`` directly: much faster than
    importing :mod:`importlib.metadata`, which is only needed when one does.
    """
    header = f"[{group}]"
    for folder in sys.path:
        try:
            names = os.listdir(folder or ".")
        except OSError:
            continue
        for name in names:
            if name.endswith((".dist-info", ".egg-info")) and _declares(
                os.path.join(folder or ".", name, "entry_points.txt"), header
            ):
                return True
    return False


def _declares(path: str, header: str) -> bool:
    try:
        with open(path, encoding="utf-8") as handle:
            lines = [line.strip() for line in handle]
    except OSError:
        return False
    if header not in lines:
        return False
    for line in lines[lines.index(header) + 1 :]:
        if line.startswith("["):
            return False
        if line and not line.startswith(("#", ";")):
            return True
    return False


def _plugin_infos() -> list[FlavorInfo]:
    """Flavors from installed plugins; a plugin that fails to load is listed as broken.

    An entry point of the ``cairn.flavors`` group names a flavor class (or a list
    of them). Name it ``<component_type>.<flavor>`` (e.g. ``artifact_store.s3fs``)
    so that, if it is broken, it is listed under the right type.
    """
    if not _group_declared(ENTRY_POINT_GROUP):
        return []
    from importlib.metadata import entry_points

    try:
        found = list(entry_points(group=ENTRY_POINT_GROUP))
    except Exception as exc:  # unreadable package metadata
        problem = f"cannot read installed entry points: {type(exc).__name__}: {exc}"
        return [FlavorInfo(None, ENTRY_POINT_GROUP, "", "plugin", None, False, problem)]
    infos: list[FlavorInfo] = []
    for ep in found:
        try:
            infos += _entry_point_infos(ep)
        except (Exception, SystemExit) as exc:  # a broken plugin must never break the CLI
            dist = getattr(ep.dist, "name", None) if ep.dist else None
            problem = f"failed to load: {type(exc).__name__}: {exc}"
            infos.append(FlavorInfo(_guess_type(ep.name), ep.name, ep.value, "plugin",
                                    dist, False, problem))  # fmt: skip
    return infos


def _guess_type(name: str) -> StackComponentType | None:
    for t in StackComponentType:
        if name.startswith((t.value, t.cli_name)):
            return t
    return None


def list_flavors(
    store: RegistryStore, type: StackComponentType | None = None, *, plugins: bool = True
) -> list[FlavorInfo]:
    """Every flavor known here, optionally of one type.

    Nothing is imported but installed plugins: integration flavors are checked
    with ``importlib.util.find_spec``. A broken plugin of unknown type is listed
    under every type.
    """
    infos = [_catalog_info(e) for e in catalog() if type in (None, e.type)]
    infos += [_custom_info(r) for r in store.list_flavors(type)]
    if plugins:
        infos += [i for i in _plugin_infos() if type is None or i.type in (None, type)]
    return infos


def base_class(component_type: StackComponentType) -> builtins.type[StackComponent]:
    """The base class every flavor of ``component_type`` must subclass."""
    cls: builtins.type[StackComponent] = load_source(BASE_CLASSES[component_type])
    return cls


def validate_flavor_class(
    cls: Any, type: StackComponentType | None = None, name: str | None = None
) -> builtins.type[StackComponent]:
    """Check that ``cls`` is a concrete flavor of ``type`` named ``name``.

    Raises:
        FlavorError: saying what is wrong with the class.
    """
    from cairn.stack.stack_component import StackComponent

    where = f"{getattr(cls, '__module__', '?')}.{getattr(cls, '__qualname__', cls)}"
    if not isinstance(cls, builtins.type) or not issubclass(cls, StackComponent):
        raise FlavorError(f"{where} is not a StackComponent subclass.")
    if type is not None and not issubclass(cls, base_class(type)):
        base = BASE_CLASSES[type].replace(":", ".")
        raise FlavorError(f"{where} is not a flavor of type {type.cli_name}: subclass {base}.")
    flavor = getattr(cls, "FLAVOR", None)
    if not isinstance(flavor, str) or not flavor:
        raise FlavorError(f"{where} must define FLAVOR: ClassVar[str] = '<name>'.")
    if inspect.isabstract(cls):
        missing = ", ".join(sorted(cls.__abstractmethods__))
        raise FlavorError(f"{where} is abstract: implement {missing}.")
    if name is not None and flavor != name:
        raise FlavorError(f"{where} declares FLAVOR '{flavor}' but is registered as '{name}'.")
    return cls


def _import_flavor(source: str, integration: str | None = None, hint: str = "") -> Any:
    """Import a flavor class; every failure becomes a :class:`FlavorError` with a hint."""
    try:
        return load_source(source)
    except FlavorError:
        raise
    except ModuleNotFoundError as exc:
        missing = exc.name or "?"
        if integration and not missing.startswith("cairn"):
            raise IntegrationError(
                f"The '{integration}' integration is not installed (missing module "
                f"'{missing}'): pip install 'cairn[{integration}]'."
            ) from exc
        raise FlavorError(f"Cannot import '{source}': {exc}.{hint}") from exc
    except Exception as exc:  # the module itself raised (syntax error, bad class, ...)
        raise FlavorError(f"Importing '{source}' failed: {type(exc).__name__}: {exc}") from exc


def get_flavor_class(
    store: RegistryStore, type: StackComponentType, name: str
) -> builtins.type[StackComponent]:
    """Import and validate the class of flavor ``name`` of ``type``.

    Lookup order: built-in and integration flavors, custom flavors, plugins.

    Raises:
        FlavorError: unknown flavor (listing those that exist) or invalid class.
        IntegrationError: the flavor's integration is not installed.
    """
    for entry in catalog():
        if entry.type == type and entry.name == name:
            cls = _import_flavor(entry.source, entry.integration)
            return validate_flavor_class(cls, type, name)
    for record in store.list_flavors(type):
        if record.name == name:
            return validate_flavor_class(_import_flavor(record.source, None, _HINT), type, name)
    for info in _plugin_infos():
        if info.type == type and info.name == name and info.usable:
            return validate_flavor_class(_import_flavor(info.source), type, name)
    known = sorted({i.name for i in list_flavors(store, type) if i.type == type})
    raise FlavorError(
        f"No {type.cli_name} flavor named '{name}'. Available: {', '.join(known) or 'none'} "
        f"(see 'cairn {type.cli_name} flavor list')."
    )


_HINT = (
    " Run the command from the repository root (made by 'cairn init') or install the "
    "package that defines it."
)


def register_custom_flavor(
    store: RegistryStore, type: StackComponentType, source: str, overwrite: bool = False
) -> FlavorInfo:
    """Register the flavor class at ``source`` for ``type``.

    The class must be importable (from the repository root or an installed
    package), subclass the base of ``type``, define ``FLAVOR`` and implement
    every abstract method. A name that clashes with a built-in or integration
    flavor is refused; a clash with a custom flavor needs ``overwrite``.
    Nothing is stored when a check fails.

    Raises:
        FlavorError: the class cannot be imported or is not a valid flavor.
        EntityExistsError: the flavor name is taken.
    """
    cls = validate_flavor_class(_import_flavor(source, None, _HINT), type)
    name = cls.FLAVOR
    if _is_builtin(type, name):
        raise EntityExistsError(
            f"'{name}' is already a built-in {type.cli_name} flavor: give your class "
            f"another FLAVOR."
        )
    canonical = f"{cls.__module__}:{cls.__qualname__}"
    try:
        found = load_source(canonical) is cls
    except Exception:
        found = False
    if not found:
        raise FlavorError(
            f"{canonical} cannot be imported by that path (is it defined inside a function?): "
            f"define the class at the top level of a module."
        )
    store.register_flavor(FlavorRecord(type, name, canonical), overwrite=overwrite)
    return FlavorInfo(type, name, canonical, "custom")
