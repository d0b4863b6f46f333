#!/usr/bin/env python3
"""Assembles the Functions custom-handler deployment zip from a publish folder and the repo's function definitions.

The Functions host discovers functions only in direct subfolders of the app root, so the repo's
functions/<Name>/function.json become <Name>/function.json in the package. The zip is written with
Python's zipfile and explicit Unix modes because the executable must keep its execute bit: the Flex
and Consumption run-from-package mount is read-only, so nothing can chmod it after deployment.
"""
from __future__ import annotations

import argparse
import json
import re
import shutil
import stat
import sys
import zipfile
from pathlib import Path

FUNCTION_NAME = re.compile(r"^[a-z][a-z0-9_\-]{0,127}$", re.IGNORECASE)

# Never shipped: debug symbols, IIS config (Linux has no IIS), developer settings and secrets.
EXCLUDED_PUBLISH_FILES = re.compile(
    r"(\.pdb|\.dbg)$|^web\.config$|^local\.settings.*\.json$|^appsettings\.Development\.json$",
    re.IGNORECASE,
)

EXECUTABLE_MODE = 0o100755
REGULAR_FILE_MODE = 0o100644
# Fixed timestamp so the same inputs always produce byte-identical zips.
ZIP_TIMESTAMP = (2020, 1, 1, 0, 0, 0)


class PackagingError(Exception):
    pass


def read_executable_name(host_json: Path) -> str:
    try:
        host = json.loads(host_json.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise PackagingError(f"{host_json} is missing; it must declare customHandler.description.defaultExecutablePath")
    except json.JSONDecodeError as error:
        raise PackagingError(f"{host_json} is not valid JSON: {error}")
    path = (((host.get("customHandler") or {}).get("description") or {}).get("defaultExecutablePath"))
    if not path:
        raise PackagingError(f"{host_json} has no customHandler.description.defaultExecutablePath")
    return path.replace("\\", "/")


def find_function_definitions(functions_dir: Path) -> dict[str, Path]:
    if not functions_dir.is_dir():
        raise PackagingError(f"{functions_dir} is missing; expected one folder per function holding function.json")
    found: dict[str, Path] = {}
    for folder in sorted(p for p in functions_dir.iterdir() if p.is_dir()):
        definition = folder / "function.json"
        if not definition.is_file():
            continue
        if not FUNCTION_NAME.match(folder.name) or folder.name.lower() == "host":
            raise PackagingError(f"'{folder.name}' is not a valid function name (^[a-z][a-z0-9_-]{{0,127}}$, not 'host')")
        try:
            json.loads(definition.read_text(encoding="utf-8"))
        except json.JSONDecodeError as error:
            raise PackagingError(f"{definition} is not valid JSON: {error}")
        found[folder.name] = definition
    if not found:
        raise PackagingError(f"no functions/<Name>/function.json found under {functions_dir}")
    return found


def assemble(repo_root: Path, publish_dir: Path, package_dir: Path) -> str:
    """Builds the app root in package_dir and returns the executable's relative path."""
    host_json = repo_root / "host.json"
    executable = read_executable_name(host_json)
    functions = find_function_definitions(repo_root / "functions")

    if not publish_dir.is_dir():
        raise PackagingError(f"publish folder {publish_dir} does not exist; run without --no-build first")
    if not (publish_dir / executable).is_file():
        raise PackagingError(f"{publish_dir / executable} not found; host.json points the host at '{executable}'")

    if package_dir.exists():
        shutil.rmtree(package_dir)
    package_dir.mkdir(parents=True)

    for source in sorted(publish_dir.rglob("*")):
        relative = source.relative_to(publish_dir)
        if source.is_dir() or EXCLUDED_PUBLISH_FILES.search(relative.name):
            continue
        if relative.parts[0] in functions or relative.as_posix() == "host.json":
            raise PackagingError(f"publish output '{relative}' collides with the function layout")
        target = package_dir / relative
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(source, target)

    shutil.copy2(host_json, package_dir / "host.json")
    for name, definition in functions.items():
        (package_dir / name).mkdir()
        shutil.copy2(definition, package_dir / name / "function.json")

    executable_path = package_dir / executable
    executable_path.chmod(executable_path.stat().st_mode | stat.S_IXUSR | stat.S_IXGRP | stat.S_IXOTH)
    return executable


def write_zip(package_dir: Path, zip_path: Path, executable: str) -> None:
    zip_path.parent.mkdir(parents=True, exist_ok=True)
    temporary = zip_path.with_suffix(zip_path.suffix + ".tmp")
    with zipfile.ZipFile(temporary, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=6) as archive:
        for source in sorted(p for p in package_dir.rglob("*") if p.is_file()):
            name = source.relative_to(package_dir).as_posix()
            entry = zipfile.ZipInfo(name, date_time=ZIP_TIMESTAMP)
            entry.compress_type = zipfile.ZIP_DEFLATED
            # create_system 3 (Unix) makes unzip and the platform honour the mode in external_attr.
            entry.create_system = 3
            entry.external_attr = (EXECUTABLE_MODE if name == executable else REGULAR_FILE_MODE) << 16
            with source.open("rb") as reader, archive.open(entry, "w", force_zip64=True) as writer:
                shutil.copyfileobj(reader, writer, 1024 * 1024)
    temporary.replace(zip_path)


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repo-root", type=Path, required=True, help="folder holding host.json and functions/")
    parser.add_argument("--publish-dir", type=Path, required=True, help="dotnet publish output")
    parser.add_argument("--package-dir", type=Path, required=True, help="where the app root is assembled (replaced)")
    parser.add_argument("--zip", type=Path, required=True, help="deployment zip to write")
    args = parser.parse_args(argv)
    try:
        executable = assemble(args.repo_root, args.publish_dir, args.package_dir)
        write_zip(args.package_dir, args.zip, executable)
    except PackagingError as error:
        print(f"package_functions: {error}", file=sys.stderr)
        return 1
    print(f"{args.zip} {args.zip.stat().st_size} bytes")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
