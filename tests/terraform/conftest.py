"""Fixtures that parse every Terraform file under terraform/ with python-hcl2.

Providers cannot be downloaded here, so `terraform validate/plan` cannot run;
these tests read the HCL itself and assert the security properties the
deployment promises. python-hcl2 >= 7 keeps the quotes of string literals
("\"prod\""); `normalize` strips them so tests compare plain values, and works
the same with older releases that already strip them.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import hcl2
import pytest

REPO_ROOT = Path(__file__).resolve().parents[2]
TERRAFORM_DIR = REPO_ROOT / "terraform"
MODULES_DIR = TERRAFORM_DIR / "modules"
ENVS_DIR = TERRAFORM_DIR / "envs"

_META_KEYS = {"__is_block__", "__comments__", "__start_line__", "__end_line__"}


def unquote(value: str) -> str:
    if len(value) >= 2 and value[0] == '"' and value[-1] == '"':
        return value[1:-1]
    return value


def normalize(obj: Any) -> Any:
    if isinstance(obj, dict):
        return {unquote(k): normalize(v) for k, v in obj.items() if k not in _META_KEYS and not k.startswith("__")}
    if isinstance(obj, list):
        return [normalize(v) for v in obj]
    if isinstance(obj, str):
        return unquote(obj)
    return obj


@dataclass(frozen=True)
class Block:
    """One resource or data block: `kind` is "resource" or "data"."""

    path: Path
    kind: str
    type: str
    name: str
    body: dict

    @property
    def module_dir(self) -> Path:
        return self.path.parent

    @property
    def address(self) -> str:
        rel = self.path.relative_to(TERRAFORM_DIR)
        prefix = "data." if self.kind == "data" else ""
        return f"{rel}:{prefix}{self.type}.{self.name}"


class TerraformTree:
    def __init__(self, root: Path) -> None:
        self.root = root
        self.files: dict[Path, dict] = {}
        self.texts: dict[Path, str] = {}
        for path in sorted(root.rglob("*.tf")):
            if ".terraform" in path.parts:
                continue
            text = path.read_text(encoding="utf-8")
            self.texts[path] = text
            with path.open(encoding="utf-8") as fh:
                self.files[path] = normalize(hcl2.load(fh))

    def blocks(self, kind: str, type_: str | None = None) -> Iterator[Block]:
        for path, doc in self.files.items():
            for entry in doc.get(kind, []):
                for rtype, named in entry.items():
                    if type_ is not None and rtype != type_:
                        continue
                    for name, body in named.items():
                        yield Block(path, kind, rtype, name, body)

    def resources(self, type_: str | None = None) -> list[Block]:
        return list(self.blocks("resource", type_))

    def data(self, type_: str | None = None) -> list[Block]:
        return list(self.blocks("data", type_))

    def named_blocks(self, kind: str) -> Iterator[tuple[Path, str, dict]]:
        """variable/output blocks: (path, name, body)."""
        for path, doc in self.files.items():
            for entry in doc.get(kind, []):
                for name, body in entry.items():
                    yield path, name, body

    def locals(self, path: Path) -> dict:
        merged: dict = {}
        for entry in self.files[path].get("locals", []):
            merged.update(entry)
        return merged

    def module_locals(self, directory: Path) -> dict:
        merged: dict = {}
        for path in self.files:
            if path.parent == directory:
                merged.update(self.locals(path))
        return merged

    def in_dir(self, blocks: list[Block], directory: Path) -> list[Block]:
        return [b for b in blocks if b.module_dir == directory]


@pytest.fixture(scope="session")
def tf() -> TerraformTree:
    tree = TerraformTree(TERRAFORM_DIR)
    assert tree.files, f"no Terraform files found under {TERRAFORM_DIR}"
    return tree
