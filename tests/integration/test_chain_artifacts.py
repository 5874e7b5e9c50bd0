"""The committed contract artifacts are what the sources compile to."""

from __future__ import annotations

import hashlib
import json
import shutil
import subprocess
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
ARTIFACTS = {
    "contracts/TipRouter.sol": ROOT / "src/tipchat/tips/artifacts/TipRouter.json",
    "contracts/TestUSD.sol": ROOT / "src/tipchat/tips/artifacts/TestUSD.json",
    "contracts/Erc6492Check.sol": ROOT / "src/tipchat/tips/artifacts/Erc6492Check.json",
    "contracts/test/NoBoolToken.sol": ROOT / "tests/integration/chain_artifacts/NoBoolToken.json",
    "contracts/test/OwnedWallet.sol": ROOT / "tests/integration/chain_artifacts/OwnedWallet.json",
    "contracts/test/OwnedWalletFactory.sol": (
        ROOT / "tests/integration/chain_artifacts/OwnedWalletFactory.json"
    ),
}


def test_artifacts_name_the_sha256_of_their_source():
    for source, artifact in ARTIFACTS.items():
        data = json.loads(artifact.read_text())
        assert data["source"] == source
        digest = hashlib.sha256((ROOT / source).read_bytes()).hexdigest()
        assert data["sourceSha256"] == digest, f"{artifact.name} is stale: node contracts/build.mjs"


def test_recompiling_the_sources_gives_the_committed_artifacts():
    node = shutil.which("node")
    assert node is not None, "Node.js is needed (./scripts/test installs contracts/)"
    result = subprocess.run(
        [node, "contracts/build.mjs", "--check"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stdout + result.stderr
