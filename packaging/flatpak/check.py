#!/usr/bin/env python3
"""Checks the Flatpak manifest offline (run by ctest as flatpak_manifest).

The build itself needs the KDE runtime and the network; what can be known without them is
checked here: the app id and command match the desktop file and metainfo, the runtime is
KDE's, every downloaded source is pinned by a sha256 or a commit, and, where
flatpak-builder is installed, that it reads the manifest (--show-manifest).
"""
import json, pathlib, shutil, subprocess, sys

here = pathlib.Path(__file__).resolve().parent
manifest_path = here / "io.github.seekbench.Seekbench.json"
problems = []
try:
    manifest = json.loads(manifest_path.read_text())
except (OSError, ValueError) as e:
    sys.exit(f"{manifest_path}: {e}")

app_id = "io.github.seekbench.Seekbench"
desktop = (here.parent / f"{app_id}.desktop").read_text()
metainfo = (here.parent / f"{app_id}.metainfo.xml").read_text()
if manifest.get("id") != app_id or f"<id>{app_id}</id>" not in metainfo:
    problems.append(f"the manifest's id {manifest.get('id')!r} is not the app id {app_id}")
if manifest.get("runtime") != "org.kde.Platform" or manifest.get("sdk") != "org.kde.Sdk":
    problems.append("the runtime must be org.kde.Platform with org.kde.Sdk")
command = manifest.get("command")
if f"Exec={command} " not in desktop:
    problems.append(f"the command {command!r} is not what the desktop file starts")

for module in manifest.get("modules", []):
    for source in module.get("sources", []):
        kind = source.get("type")
        if kind in ("archive", "file") and not source.get("sha256"):
            problems.append(f"{module['name']}: {source.get('url')} has no sha256")
        if kind == "git" and not source.get("commit"):
            problems.append(f"{module['name']}: {source.get('url')} is not pinned to a commit")
        if kind == "dir" and not (manifest_path.parent / source["path"] / "CMakeLists.txt").exists():
            problems.append(f"{module['name']}: {source['path']} is not the repository")
if manifest["modules"][-1].get("name") != "seekbench":
    problems.append("the app must be the last module")

builder = shutil.which("flatpak-builder")
if builder:
    run = subprocess.run([builder, "--show-manifest", str(manifest_path)], capture_output=True, text=True)
    if run.returncode != 0:
        problems.append(f"flatpak-builder --show-manifest: {run.stderr.strip()}")
    else:
        shown = json.loads(run.stdout)
        if shown.get("id", shown.get("app-id")) != app_id:
            problems.append("flatpak-builder read another id")
else:
    print("flatpak-builder is not installed: its check was skipped")

if problems:
    sys.exit("\n".join(problems))
print(f"{manifest_path.name}: {len(manifest['modules'])} modules, every download pinned")
