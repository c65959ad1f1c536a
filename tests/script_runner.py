"""Run generated training scripts one after another in this Python, each from its own folder.

Usage: ``python -m tests.script_runner SCRIPT [SCRIPT ...]``. Prints one JSON object: for
each script path as given, the script's last printed line parsed as JSON, or
``{"error": traceback}``. One interpreter for all scripts because importing TensorFlow
takes about 10 s, most of a small preset's run; each script still runs as ``__main__``,
from its folder, after seeding every generator itself as the script does.
"""

import contextlib
import io
import json
import os
import runpy
import sys
import traceback


def run(script: str) -> dict:
    """Run ``script`` as a student would from its folder; its last printed line."""
    folder, name = os.path.split(os.path.abspath(script))
    os.chdir(folder)
    printed = io.StringIO()
    try:
        with contextlib.redirect_stdout(printed):
            runpy.run_path(name, run_name="__main__")
        return json.loads(printed.getvalue().strip().splitlines()[-1])
    except Exception:
        return {"error": traceback.format_exc() + printed.getvalue()[-2000:]}
    finally:
        import keras  # the scripts imported it; a clean slate keeps memory flat

        keras.backend.clear_session()


if __name__ == "__main__":
    print(json.dumps({script: run(script) for script in sys.argv[1:]}))
