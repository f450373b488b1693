"""Import one generated client class without the rest of its package.

`import google.cloud.run_v2` runs the package's `__init__`, which imports all eight of
its service clients (with their async clients and every message type): about 75 ms, of
which a scan of Cloud Run services needs one client. google.cloud.compute_v1 imports a
hundred clients (0.8 s where a health-check scan needs 0.4 s). So a client class is
imported from its own module, `<package>.services.<service>.client`, with the packages
above it (and the package's `types`) stood in for by `LazyPackage`s: module objects
whose `__init__` runs only when something asks them for a name they define. A submodule
asked for is imported as usual; any other name (`run_v2.Service`) loads the real
package in place, so code elsewhere that imports the package sees it whole.
"""

from __future__ import annotations

import importlib
import importlib.util
import re
import sys
import threading
import types
from pathlib import Path
from typing import Any

_LOCK = threading.RLock()


class LazyPackage(types.ModuleType):
    """A package whose `__init__` has not run yet (see the module docstring)."""

    def __getattr__(self, attr: str) -> Any:
        if attr.startswith("__") and attr != "__all__":
            raise AttributeError(attr)
        name = self.__name__
        with _LOCK:
            if importlib.util.find_spec(f"{name}.{attr}") is not None:
                return importlib.import_module(f"{name}.{attr}")  # a submodule, as usual
            state = self.__dict__
            if not state.get("_drift_loaded"):
                state["_drift_loaded"] = True  # its own code may ask for its own names
                spec = self.__spec__
                assert spec is not None and spec.loader is not None
                spec.loader.exec_module(self)
        try:
            return self.__dict__[attr]
        except KeyError:
            raise AttributeError(f"module {name!r} has no attribute {attr!r}") from None


def _stand_in(name: str, optional: bool = False) -> bool:
    """Put a LazyPackage for package `name` in sys.modules (unless it is there already);
    False if that cannot be done (not a package; `optional`: absent is fine)."""
    if name in sys.modules:
        return True
    spec = importlib.util.find_spec(name)
    if spec is None:
        return optional
    if spec.submodule_search_locations is None or spec.loader is None:
        return False
    module = LazyPackage(name)
    module.__spec__ = spec
    module.__loader__ = spec.loader
    module.__path__ = list(spec.submodule_search_locations)
    module.__file__ = spec.origin
    module.__package__ = name
    sys.modules[name] = module
    parent, _, child = name.rpartition(".")
    if parent in sys.modules:
        setattr(sys.modules[parent], child, module)
    return True


def _own_module(package: str, class_name: str) -> str | None:
    """`<package>.services.<service>.client` when that file defines `class_name`; for a
    package that only re-exports another's clients (google.cloud.secretmanager re-exports
    secretmanager_v1's), the module its `__init__` imports the class from."""
    spec = importlib.util.find_spec(package)
    if spec is None or not spec.submodule_search_locations:
        return None
    for location in spec.submodule_search_locations:
        for path in sorted(Path(location).glob("services/*/client.py")):
            try:
                text = path.read_text(encoding="utf-8")
            except OSError:
                continue
            if f"\nclass {class_name}(" in text:
                return f"{package}.services.{path.parent.name}.client"
    try:
        init = Path(spec.origin or "").read_text(encoding="utf-8")
    except OSError:
        return None
    found = re.search(rf"from ([\w.]+\.services\.\w+\.client) import \(?\s*{class_name}\b", init)
    return found.group(1) if found else None


def client_class(package: str, class_name: str) -> Any:
    """The class `package.class_name`, importing as little of `package` as it can.

    Import clients from one thread (the scan does, before its workers start): a package
    stood in for is loaded in place under a lock, as a module being imported is."""
    with _LOCK:
        loaded = sys.modules.get(package)
        if loaded is not None and not isinstance(loaded, LazyPackage):
            return getattr(loaded, class_name)
        own = _own_module(package, class_name)
        if own is not None:
            home = own.split(".services.")[0]  # the package that defines it
            service = own.rpartition(".")[0]
            stood_in = all(_stand_in(p) for p in (home, f"{home}.services", service))
            if stood_in and _stand_in(f"{home}.types", optional=True):
                return getattr(importlib.import_module(own), class_name)
        return getattr(importlib.import_module(package), class_name)
