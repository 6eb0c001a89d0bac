"""The core stays pure: importing cinefile.format pulls in no editor protocol, no file
watching, no command line and no network client."""

import subprocess
import sys


def test_the_core_imports_no_adapter_library():
    code = ("import sys, pkgutil, importlib, cinefile.format as f\n"
            "for m in pkgutil.iter_modules(f.__path__): importlib.import_module('cinefile.format.' + m.name)\n"
            "print(' '.join(sorted(n for n in ('pygls', 'lsprotocol', 'watchdog', 'typer', 'click', 'httpx', 'rich', 'sqlite3', 'sqlite_utils') if n in sys.modules)))")
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert result.stdout.strip() == ""


def test_the_command_line_starts_without_the_generation_stack():
    """Only the generation commands need httpx and the providers; every other command would
    pay 0.1 s to import them at start."""
    code = "import sys, cinefile.cli.app\nprint('httpx' in sys.modules, 'cinefile.daemon.generate' in sys.modules)"
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert result.stdout.strip() == "False False"


def test_the_index_starts_without_pandas_and_numpy_which_stay_importable():
    """sqlite-utils imports both when they are installed (0.85 s of every command's start);
    cinefile stores no values of theirs, so the index hides them for that import only."""
    code = ("import sys, cinefile.daemon.index.db, cinefile.cli.app\n"
            "print('pandas' in sys.modules, 'numpy' in sys.modules)\n"
            "import pandas\nprint(pandas.DataFrame({'a': [1]}).shape)")
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert result.stdout.split("\n")[:2] == ["False False", "(1, 1)"]
