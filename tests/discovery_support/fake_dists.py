"""Write fake installed distributions (``*.dist-info``) into a directory on sys.path.

Each distribution gets METADATA and entry_points.txt, exactly what
``importlib.metadata`` reads for a real install; plugin modules are plain ``.py``
files beside them. Module names get a per-site suffix so no test can see a
module another test imported.
"""

import sys
import uuid
from pathlib import Path

GROUP = "director.llm_providers"


class FakeSite:
    """A site-packages-like directory of fake distributions and plugin modules."""

    def __init__(self, root):
        self.root = Path(root)
        self.root.mkdir(parents=True, exist_ok=True)
        self.suffix = uuid.uuid4().hex[:8]
        self.modules = []

    def add_module(self, stem, source):
        """Write ``<stem>_<suffix>.py`` and return its importable name."""
        name = f"{stem}_{self.suffix}"
        (self.root / f"{name}.py").write_text(source, encoding="utf-8")
        self.modules.append(name)
        return name

    def add_dist(self, name, version, entry_points, metadata=True):
        """Write ``<name>-<version>.dist-info`` declaring ``entry_points`` (name -> target)."""
        info = self.root / f"{name.replace('-', '_')}-{version}.dist-info"
        info.mkdir()
        if metadata:
            (info / "METADATA").write_text(
                f"Metadata-Version: 2.1\nName: {name}\nVersion: {version}\n", encoding="utf-8"
            )
        lines = [f"[{GROUP}]"] + [f"{ep} = {target}" for ep, target in entry_points.items()]
        (info / "entry_points.txt").write_text("\n".join(lines) + "\n", encoding="utf-8")
        return info

    def imported(self):
        """The plugin modules written here that are now in ``sys.modules``."""
        return [name for name in self.modules if name in sys.modules]

    def forget_modules(self):
        for name in self.modules:
            sys.modules.pop(name, None)
