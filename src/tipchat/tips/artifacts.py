"""The compiled contracts shipped with the package (written by contracts/build.mjs; a test
checks they match the sources), so running tipchat never needs a Solidity compiler."""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import cache
from importlib import resources
from typing import Any


@dataclass(frozen=True)
class Artifact:
    name: str
    abi: list[dict[str, Any]]
    bytecode: str
    compiler: str
    source_sha256: str


@cache
def load(name: str) -> Artifact:
    """`load("TipRouter")` or `load("TestUSD")`."""
    text = resources.files(__package__).joinpath("artifacts", f"{name}.json").read_text()
    return from_json(json.loads(text))


def from_json(data: dict[str, Any]) -> Artifact:
    return Artifact(
        name=data["contractName"],
        abi=data["abi"],
        bytecode=data["bytecode"],
        compiler=data["compiler"],
        source_sha256=data["sourceSha256"],
    )
