"""The local anvil node (npm @foundry-rs/anvil), for development and tests.

It runs on a free 127.0.0.1 port with chain id 31337 and anvil's well-known test mnemonic,
so its funded accounts are the standard dev accounts every Ethereum tool knows. Its state is
in memory: each start is a fresh chain (the contracts land at the same addresses every time,
since the deployer and its nonces are the same). Nothing of value can ever be on it.
"""

from __future__ import annotations

import asyncio
import ctypes
import os
import platform
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import IO

from tipchat.tips.rpc import ChainClient

DEV_CHAIN_ID = 31337
# Public knowledge: anvil's (and hardhat's) default mnemonic. Dev chains only.
DEV_MNEMONIC = "test test test test test test test test test test test junk"
DEV_ACCOUNTS = 10
DEV_BALANCE_ETH = 10_000

# contracts/ beside src/: present in a checkout and in an editable install.
_CONTRACTS_DIR = Path(__file__).resolve().parents[3] / "contracts"

_NPM_PLATFORMS = {
    ("Linux", "x86_64"): "linux-amd64",
    ("Linux", "aarch64"): "linux-arm64",
    ("Darwin", "x86_64"): "darwin-amd64",
    ("Darwin", "arm64"): "darwin-arm64",
    ("Windows", "AMD64"): "win32-amd64",
}


class AnvilNotFound(RuntimeError):
    pass


class AnvilFailed(RuntimeError):
    pass


def find_anvil(explicit: Path | None = None) -> Path:
    """The anvil binary: `explicit`, else the npm package's platform binary in contracts/,
    else `anvil` on PATH."""
    if explicit is not None:
        if not explicit.is_file():
            raise AnvilNotFound(f"TIPCHAT_ANVIL_PATH: no file at {explicit}")
        return explicit
    # The npm package ships the binary in an optional per-platform package; its own bin.mjs
    # only re-launches that binary through node, which we skip.
    npm_platform = _NPM_PLATFORMS.get((platform.system(), platform.machine()))
    if npm_platform is not None:
        name = "anvil.exe" if npm_platform.startswith("win32") else "anvil"
        candidate = (
            _CONTRACTS_DIR / "node_modules" / "@foundry-rs" / f"anvil-{npm_platform}" / "bin" / name
        )
        if candidate.is_file():
            return candidate
    on_path = shutil.which("anvil")
    if on_path is not None:
        return Path(on_path)
    raise AnvilNotFound(
        "anvil not found: run `npm ci --ignore-scripts` in contracts/ (./scripts/run does), "
        "or set TIPCHAT_ANVIL_PATH"
    )


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _die_with_parent() -> None:  # pragma: no cover - runs in the child between fork and exec
    """Linux: SIGTERM anvil when the process that started it dies, even by SIGKILL, so no
    orphan keeps the port. (The signal follows the *thread* that forked: start anvil from a
    thread that lives as long as the chain is needed.)"""
    pr_set_pdeathsig = 1
    ctypes.CDLL("libc.so.6", use_errno=True).prctl(pr_set_pdeathsig, signal.SIGTERM)


class Anvil:
    """`anvil = Anvil(find_anvil()); await anvil.start(); ...; anvil.stop()`."""

    def __init__(
        self,
        binary: Path,
        *,
        chain_id: int = DEV_CHAIN_ID,
        mnemonic: str = DEV_MNEMONIC,
        accounts: int = DEV_ACCOUNTS,
        balance_eth: int = DEV_BALANCE_ETH,
    ) -> None:
        self.binary = binary
        self.chain_id = chain_id
        self.mnemonic = mnemonic
        self.accounts = accounts
        self.balance_eth = balance_eth
        self.port = 0
        self._proc: subprocess.Popen[bytes] | None = None
        self._log: IO[bytes] | None = None

    @property
    def rpc_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    async def start(self, *, timeout_s: float = 30.0) -> None:
        """Start on a free port and return once it answers eth_chainId. Retries with another
        port when the one picked was taken in between."""
        for attempt in range(3):
            self._spawn()
            try:
                await self._wait_ready(timeout_s)
                return
            except AnvilFailed:
                self.stop()
                if attempt == 2:
                    raise

    def _spawn(self) -> None:
        self.port = _free_port()
        # anvil's output goes to a temporary file: read back when it fails to start, and
        # never a pipe that could fill up and block it.
        self._log = tempfile.TemporaryFile(prefix="tipchat-anvil-")  # noqa: SIM115 - closed by stop()
        args = [
            str(self.binary),
            "--host", "127.0.0.1",
            "--port", str(self.port),
            "--chain-id", str(self.chain_id),
            "--mnemonic", self.mnemonic,
            "--accounts", str(self.accounts),
            "--balance", str(self.balance_eth),
            "--silent",
        ]  # fmt: skip
        self._proc = subprocess.Popen(  # noqa: S603 - our own binary and arguments
            args,
            stdin=subprocess.DEVNULL,
            stdout=self._log,
            stderr=subprocess.STDOUT,
            # Its own session: a Ctrl-C in the terminal reaches tipchat, which stops anvil
            # after draining, instead of anvil dying first.
            start_new_session=True,
            preexec_fn=_die_with_parent if sys.platform == "linux" else None,
        )

    async def _wait_ready(self, timeout_s: float) -> None:
        deadline = time.monotonic() + timeout_s
        async with ChainClient(self.rpc_url, timeout_s=1.0) as client:
            while True:
                if self._proc is None or self._proc.poll() is not None:
                    raise AnvilFailed(f"anvil exited at start: {self._output()}")
                try:
                    chain_id = await client.chain_id()
                except Exception:  # not listening yet
                    if time.monotonic() > deadline:
                        raise AnvilFailed(f"anvil did not answer within {timeout_s} s") from None
                    await asyncio.sleep(0.05)
                    continue
                if chain_id != self.chain_id:
                    raise AnvilFailed(f"port {self.port} answers chain id {chain_id}")
                return

    def _output(self) -> str:
        if self._log is None:
            return ""
        self._log.seek(0)
        return self._log.read()[-2000:].decode(errors="replace").strip()

    @property
    def running(self) -> bool:
        return self._proc is not None and self._proc.poll() is None

    def stop(self) -> None:
        proc, self._proc = self._proc, None
        if proc is not None and proc.poll() is None:
            proc.terminate()
            try:
                proc.wait(timeout=5)
            except subprocess.TimeoutExpired:
                os.kill(proc.pid, signal.SIGKILL)
                proc.wait()
        if self._log is not None:
            self._log.close()
            self._log = None
