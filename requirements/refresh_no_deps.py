"""Move each `name==version` pin in a no-deps requirements file to the newest release on the package index.

Used by `make lock`; pip-compile cannot lock a package without its declared dependencies, so these few pins are
refreshed here and then installed with `pip install --no-deps`.
"""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

PIN = re.compile(r"^(?P<name>[A-Za-z0-9_.-]+)==(?P<version>\S+)\s*$")


def newest(name: str) -> str:
    out = subprocess.run([sys.executable, "-m", "pip", "index", "versions", name, "--disable-pip-version-check"],
                         capture_output=True, text=True, check=True).stdout
    match = re.search(rf"^{re.escape(name)} \(([^)]+)\)", out, re.MULTILINE | re.IGNORECASE)
    if not match:
        raise SystemExit(f"pip index versions {name}: no version found in its output")
    return match.group(1)


def main(path: str) -> None:
    file = Path(path)
    lines = []
    for line in file.read_text(encoding="utf-8").splitlines():
        match = PIN.match(line)
        if match:
            version = newest(match["name"])
            if version != match["version"]:
                print(f"{match['name']}: {match['version']} -> {version}")
            line = f"{match['name']}=={version}"
        lines.append(line)
    file.write_text("\n".join(lines) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main(sys.argv[1])
