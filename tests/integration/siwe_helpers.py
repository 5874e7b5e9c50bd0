"""Making SIWE messages for tests: by the JavaScript libraries dapps use (viem, siwe), run by
node from tests/js, or by hand with eth-account; and linking a wallet in one call."""

from __future__ import annotations

import json
import shutil
import subprocess
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx
from eth_account import Account
from eth_account.messages import encode_defunct

from tests.helpers import User

JS_DIR = Path(__file__).resolve().parents[1] / "js"


def iso(moment: datetime) -> str:
    return moment.astimezone(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def python_message(fields: dict[str, Any]) -> str:
    """EIP-4361 text written out by hand, as the spec lays it out."""
    lines = [
        f"{fields['domain']} wants you to sign in with your Ethereum account:",
        fields["address"],
        "",
    ]
    if fields.get("statement"):
        lines += [fields["statement"], ""]
    else:
        lines += [""]
    lines += [
        f"URI: {fields['uri']}",
        "Version: 1",
        f"Chain ID: {fields['chainId']}",
        f"Nonce: {fields['nonce']}",
        f"Issued At: {fields['issuedAt']}",
    ]
    for key, name in (
        ("expirationTime", "Expiration Time"),
        ("notBefore", "Not Before"),
        ("requestId", "Request ID"),
    ):
        if fields.get(key):
            lines.append(f"{name}: {fields[key]}")
    if fields.get("resources"):
        lines += ["Resources:", *(f"- {r}" for r in fields["resources"])]
    return "\n".join(lines)


def sign_text(private_key: str, text: str) -> str:
    signed = Account.sign_message(encode_defunct(text=text), private_key=private_key)
    return "0x" + bytes(signed.signature).hex()


def make_signed(lib: str, private_key: str, fields: dict[str, Any]) -> tuple[str, str]:
    """(message, signature) made by lib: "viem", "siwe" (JavaScript) or "eth-account"."""
    if lib == "eth-account":
        text = python_message(fields)
        return text, sign_text(private_key, text)
    out = run_js("siwe.mjs", {"lib": lib, "privateKey": private_key, "fields": fields})
    return out["message"], out["signature"]


def run_js(script: str, payload: dict[str, Any]) -> dict[str, Any]:
    """Run tests/js/<script> with payload as JSON on stdin; its JSON answer."""
    node = shutil.which("node")
    assert node is not None, "Node.js is needed for the SIWE tests"
    assert (JS_DIR / "node_modules").is_dir(), (
        "tests/js dependencies missing: ./scripts/test installs them (cd tests/js && npm ci)"
    )
    result = subprocess.run(
        [node, str(JS_DIR / script)],
        input=json.dumps(payload),
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    answer: dict[str, Any] = json.loads(result.stdout)
    return answer


async def nonce_for(user: User) -> dict[str, Any]:
    r = await user.http.get("/api/wallets/nonce")
    assert r.status_code == 200, r.text
    body: dict[str, Any] = r.json()
    return body


def fields_for(issued: dict[str, Any], address: str, /, **changes: Any) -> dict[str, Any]:
    """The message a well-behaved client builds from a nonce response, with changes."""
    fields = {
        "domain": issued["domain"],
        "address": address,
        "uri": issued["uri"],
        "chainId": issued["chain_ids"][0],
        "nonce": issued["nonce"],
        "issuedAt": iso(datetime.now(UTC)),
        "statement": "Link this wallet to tipchat to receive tips.",
    }
    fields.update(changes)
    return {k: v for k, v in fields.items() if v is not None}


async def wallets_of(user: User) -> list[dict[str, Any]]:
    r = await user.http.get("/api/wallets")
    assert r.status_code == 200, r.text
    wallets: list[dict[str, Any]] = r.json()["wallets"]
    return wallets


async def post_link(user: User, message: str, signature: str) -> httpx.Response:
    return await user.http.post("/api/wallets", json={"message": message, "signature": signature})


async def link_wallet(user: User, private_key: str, lib: str = "eth-account") -> dict[str, Any]:
    """Link the account of private_key to user; the wallet."""
    address = Account.from_key(private_key).address
    message, signature = make_signed(lib, private_key, fields_for(await nonce_for(user), address))
    r = await post_link(user, message, signature)
    assert r.status_code == 201, r.text
    wallet: dict[str, Any] = r.json()
    return wallet
