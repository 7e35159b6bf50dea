"""Copy the pinned third-party browser files from node_modules into observo/vendor/ (package data).

    npm ci && python scripts/vendor_assets.py            # build (make setup, the wheel, the image)
    python scripts/vendor_assets.py --check              # verify only: exit 1 if anything is off

Nothing is fetched: the files come from the npm packages `npm ci` installed from package-lock.json.
Each copy is checked against the version and the SRI hash the pages announce
(observo/http/asset_files.py), so a page never points at a file its browser would refuse.
Standard library only: it runs before the application's dependencies are installed.
"""

from __future__ import annotations

import argparse
import base64
import hashlib
import importlib.util
import json
import shutil
import sys
from pathlib import Path
from types import ModuleType

ROOT = Path(__file__).resolve().parent.parent
MANIFEST = ROOT / "observo" / "http" / "asset_files.py"


def load_manifest() -> ModuleType:
    """observo/http/asset_files.py by path: importing the package would need Flask installed."""
    spec = importlib.util.spec_from_file_location("observo_asset_files", MANIFEST)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up
    spec.loader.exec_module(module)
    return module


def sri(data: bytes) -> str:
    return "sha384-" + base64.b64encode(hashlib.sha384(data).digest()).decode()


def problems(node_modules: Path, target: Path, manifest: ModuleType, compare_target: bool) -> list[str]:
    """What is wrong with node_modules (and, with `compare_target`, with the vendored copies)."""
    found: list[str] = []
    integrity = {(a.package, a.version, a.path): a.integrity for a in manifest.ASSETS.values()}
    for package, version, path in manifest.vendored_files():
        root = node_modules / package
        try:
            installed = json.loads((root / "package.json").read_text())["version"]
        except (OSError, ValueError, KeyError):
            found.append(f"{package}: not installed in {node_modules} (run `npm ci`)")
            continue
        if installed != version:
            found.append(f"{package}: {installed} installed, {version} pinned (run `npm ci`)")
            continue
        source = root / path
        if not source.is_file():
            found.append(f"{package}@{version}/{path}: missing from the npm package")
            continue
        data = source.read_bytes()
        expected = integrity.get((package, version, path))
        if expected and sri(data) != expected:
            found.append(f"{package}@{version}/{path}: SRI {sri(data)}, pages announce {expected}")
        copy = target / f"{package}@{version}" / path
        if compare_target and (not copy.is_file() or copy.read_bytes() != data):
            found.append(f"{copy}: missing or different from node_modules")
    return found


def vendor(node_modules: Path, target: Path) -> int:
    """Replace `target` with fresh copies; the number of files copied. ValueError on any problem."""
    manifest = load_manifest()
    found = problems(node_modules, target, manifest, compare_target=False)
    if found:
        raise ValueError("\n".join(found))
    staging = target.with_name(target.name + ".new")
    shutil.rmtree(staging, ignore_errors=True)
    files = manifest.vendored_files()
    for package, version, path in files:
        copy = staging / f"{package}@{version}" / path
        copy.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(node_modules / package / path, copy)
    # Swapped in whole: a running server never sees a half-written folder for long.
    shutil.rmtree(target, ignore_errors=True)
    staging.rename(target)
    return len(files)


def main(argv: list[str] | None = None) -> int:
    manifest = load_manifest()
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--node-modules", type=Path, default=ROOT / "node_modules")
    parser.add_argument("--target", type=Path, default=manifest.VENDOR_DIR)
    parser.add_argument("--check", action="store_true", help="verify the vendored copies, write nothing")
    args = parser.parse_args(argv)
    if args.check:
        found = problems(args.node_modules, args.target, manifest, compare_target=True)
        for line in found:
            print(line, file=sys.stderr)
        return 1 if found else 0
    try:
        count = vendor(args.node_modules, args.target)
    except ValueError as exc:
        print(exc, file=sys.stderr)
        return 1
    print(f"{count} files vendored into {args.target}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
