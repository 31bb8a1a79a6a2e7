#!/usr/bin/env python3
"""Checks that every #include "..." in tool/ follows the allowed edges of docs/architecture.md.

Usage: check_architecture.py SOURCE_DIR. Exit 0 when every include is allowed, 1 with one line per
violation otherwise, 2 when the edge table cannot be read.
"""
import os
import re
import sys


def read_edges(doc_path):
    text = open(doc_path, encoding="utf-8").read()
    block = re.search(r"<!-- edges -->\s*```\n(.*?)```\s*<!-- /edges -->", text, re.S)
    if not block:
        raise ValueError(f"{doc_path}: no <!-- edges --> block")
    edges = {}
    for line in block.group(1).splitlines():
        if not line.strip():
            continue
        folder, _, deps = line.partition(":")
        edges[folder.strip()] = set(deps.split())
    return edges


def headers_by_folder(tool_dir, folders):
    owner = {}
    for folder in folders:
        for name in os.listdir(os.path.join(tool_dir, folder)):
            if name.endswith(".hpp"):
                if name in owner:
                    raise ValueError(f"header {name} is in both {owner[name]}/ and {folder}/")
                owner[name] = folder
    return owner


def violations(source_dir):
    tool_dir = os.path.join(source_dir, "tool")
    edges = read_edges(os.path.join(source_dir, "docs", "architecture.md"))
    folders = sorted(d for d in os.listdir(tool_dir) if os.path.isdir(os.path.join(tool_dir, d)))
    missing = set(folders) ^ set(edges)
    if missing:
        raise ValueError("folders and the edge table differ: " + ", ".join(sorted(missing)))
    owner = headers_by_folder(tool_dir, folders)
    found = []
    for folder in folders:
        allowed = edges[folder] | {folder}
        for name in sorted(os.listdir(os.path.join(tool_dir, folder))):
            path = os.path.join(tool_dir, folder, name)
            for number, line in enumerate(open(path, encoding="utf-8"), 1):
                m = re.match(r'\s*#\s*include\s+"([^"]+)"', line)
                if not m:
                    continue
                target = owner.get(os.path.basename(m.group(1)))
                if target is not None and target not in allowed:
                    found.append(f"tool/{folder}/{name}:{number}: includes {m.group(1)} of {target}/, "
                                 f"not an allowed edge of {folder}/ (docs/architecture.md)")
    return found


def main():
    if len(sys.argv) != 2:
        print("usage: check_architecture.py SOURCE_DIR", file=sys.stderr)
        return 2
    try:
        found = violations(sys.argv[1])
    except (OSError, ValueError) as e:
        print(f"check_architecture: {e}", file=sys.stderr)
        return 2
    for line in found:
        print(line)
    print(f"{len(found)} include(s) against the flow" if found else "every include follows the allowed edges")
    return 1 if found else 0


if __name__ == "__main__":
    sys.exit(main())
