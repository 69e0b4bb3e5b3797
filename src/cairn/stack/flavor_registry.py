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
    """What ``flavor list`` shows of one flavor."""

    type: StackComponentType
    name: str
    source: str
    origin: str  # builtin | integration | custom | plugin
    integration: str | None = None
    usable: bool = True
    problem: str | None = None

    def as_dict(self) -> dict[str, Any]:
        return {
            "type": self.type.value, "name": self.name, "source": self.source,
            "origin": self.origin, "integration": self.integration, "usable": self.usable,
            "problem": self.problem,
        }  # fmt: skip


def _module_available(name: str) -> bool:
    try:
        return importlib.util.find_spec(name) is not None
    except (ImportError, ValueError):
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


def _plugin_infos() -> list[FlavorInfo]:
    """Flavors from installed plugins; a plugin that fails to load is listed as broken."""
    from importlib.metadata import entry_points

    infos: list[FlavorInfo] = []
    for ep in entry_points(group=ENTRY_POINT_GROUP):
        try:
            loaded = ep.load()
            classes = loaded if isinstance(loaded, list | tuple) else [loaded]
            for cls in classes:
                validate_flavor_class(cls)
                infos.append(FlavorInfo(cls.TYPE, cls.FLAVOR,
                                        f"{cls.__module__}:{cls.__qualname__}", "plugin"))
        except Exception as exc:  # a broken plugin must never break the CLI
            dist = getattr(ep.dist, "name", "?") if ep.dist else "?"
            infos.append(FlavorInfo(_guess_type(ep.name), ep.name, ep.value, "plugin",
                                    dist, False, f"failed to load: {type(exc).__name__}: {exc}"))
    return infos  # fmt: skip


def _guess_type(name: str) -> StackComponentType:
    for t in StackComponentType:
        if name.startswith(t.value) or name.startswith(t.cli_name):
            return t
    return StackComponentType.ORCHESTRATOR


def list_flavors(
    store: RegistryStore, type: StackComponentType | None = None, *, plugins: bool = True
) -> list[FlavorInfo]:
    """Every flavor known here, optionally of one type."""
    infos = [_catalog_info(e) for e in catalog() if type in (None, e.type)]
    infos += [_custom_info(r) for r in store.list_flavors(type)]
    if plugins:
        infos += [i for i in _plugin_infos() if type in (None, i.type)]
    return infos


def base_class(type: StackComponentType) -> type[StackComponent]:
    """The base class every flavor of ``type`` must subclass."""
    cls: type[StackComponent] = load_source(BASE_CLASSES[type])
    return cls


def validate_flavor_class(
    cls: Any, type: StackComponentType | None = None, name: str | None = None
) -> type[StackComponent]:
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
        raise FlavorError(f"{where} is not a {type.cli_name} flavor: it must subclass {base}.")
    flavor = cls.__dict__.get("FLAVOR") or getattr(cls, "FLAVOR", None)
    if not isinstance(flavor, str) or not flavor:
        raise FlavorError(f"{where} must define FLAVOR: ClassVar[str] = '<name>'.")
    if inspect.isabstract(cls):
        missing = ", ".join(sorted(cls.__abstractmethods__))
        raise FlavorError(f"{where} is abstract: implement {missing}.")
    if name is not None and flavor != name:
        raise FlavorError(f"{where} declares FLAVOR '{flavor}' but is registered as '{name}'.")
    return cls


def _import_flavor(source: str, integration: str | None) -> Any:
    try:
        return load_source(source)
    except ModuleNotFoundError as exc:
        if integration:
            raise IntegrationError(
                f"The '{integration}' integration is not installed (missing module "
                f"'{exc.name}'): pip install 'cairn[{integration}]'."
            ) from exc
        raise FlavorError(f"Cannot import flavor '{source}': {exc}.") from exc


def get_flavor_class(
    store: RegistryStore, type: StackComponentType, name: str
) -> type[StackComponent]:
    """Import and validate the class of flavor ``name`` of ``type``.

    Raises:
        FlavorError: unknown flavor (listing those that exist) or invalid class.
        IntegrationError: the flavor's integration is not installed.
    """
    for entry in catalog():
        if entry.type == type and entry.name == name:
            return validate_flavor_class(_import_flavor(entry.source, entry.integration), type, name)
    for record in store.list_flavors(type):
        if record.name == name:
            return validate_flavor_class(_import_flavor(record.source, None), type, name)
    for info in _plugin_infos():
        if info.type == type and info.name == name and info.usable:
            return validate_flavor_class(load_source(info.source), type, name)
    known = sorted({i.name for i in list_flavors(store, type)})
    raise FlavorError(
        f"No {type.cli_name} flavor named '{name}'. Available: {', '.join(known) or 'none'} "
        f"(see 'cairn {type.cli_name} flavor list')."
    )


def register_custom_flavor(
    store: RegistryStore, type: StackComponentType, source: str, overwrite: bool = False
) -> FlavorInfo:
    """Register the flavor class at ``source`` for ``type``.

    The class must be importable (from the repository root or an installed
    package), subclass the base of ``type`` and define ``FLAVOR``. A name that
    clashes with a built-in or integration flavor is refused; a clash with a
    custom flavor needs ``overwrite``.
    """
    try:
        cls = validate_flavor_class(load_source(source), type)
    except ModuleNotFoundError as exc:
        raise FlavorError(
            f"Cannot import '{source}': {exc}. Run the command from the repository root "
            f"(made by 'cairn init') or install the package that defines it."
        ) from exc
    name = cls.FLAVOR
    if any(e.type == type and e.name == name for e in catalog()):
        raise EntityExistsError(
            f"'{name}' is a built-in {type.cli_name} flavor: give your class another FLAVOR."
        )
    canonical = f"{cls.__module__}:{cls.__qualname__}"
    store.register_flavor(FlavorRecord(type, name, canonical), overwrite=overwrite)
    return FlavorInfo(type, name, canonical, "custom")
