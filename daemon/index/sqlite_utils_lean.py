"""sqlite-utils without pandas and numpy.

sqlite-utils imports both at its own import when they are installed (the studio brings
pandas), to map their value types to column types; cinefile never stores such values. That
import was 0.85 s of the 1.3 s every command took to start (`python -X importtime`). Hidden
for that one import, they stay importable for the studio and anything else that wants them.
"""

from __future__ import annotations

import sys

_NOT_NEEDED = ("pandas", "numpy")


def _import_lean() -> None:
    hidden = [name for name in _NOT_NEEDED if name not in sys.modules]
    for name in hidden:
        sys.modules[name] = None  # type: ignore[assignment]  # `import name` raises ImportError
    try:
        import sqlite_utils  # noqa: F401
        import sqlite_utils.migrations  # noqa: F401
    finally:
        for name in hidden:
            if sys.modules.get(name, "") is None:
                del sys.modules[name]


_import_lean()

from sqlite_utils import Database  # noqa: E402
from sqlite_utils.migrations import Migrations  # noqa: E402

__all__ = ["Database", "Migrations"]
