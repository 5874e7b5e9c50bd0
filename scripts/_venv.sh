# Sourced by scripts/run and scripts/test: create .venv and install the project into it,
# pinned by constraints.txt (./scripts/lock writes it), again only when either file changed.
# Needs Python >= 3.11 (set PYTHON to choose one).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

PYTHON="${PYTHON:-python3}"
if ! "$PYTHON" -c 'import sys; sys.exit(sys.version_info < (3, 11))' 2>/dev/null; then
    echo "tipchat needs Python 3.11 or newer (found: $("$PYTHON" --version 2>&1)); set PYTHON=..." >&2
    exit 1
fi

ensure_venv() {  # ensure_venv [extras]
    local extras="${1:-}" spec="." stamp
    [[ -n "$extras" ]] && spec=".[$extras]"
    stamp="$(cat pyproject.toml constraints.txt | sha256sum | cut -c1-16)-$extras"
    if [[ ! -x .venv/bin/python ]]; then
        echo "==> creating .venv" >&2
        "$PYTHON" -m venv .venv
    fi
    if [[ "$(cat .venv/.tipchat-installed 2>/dev/null)" != "$stamp" ]]; then
        echo "==> installing tipchat${extras:+ with $extras extras} into .venv" >&2
        .venv/bin/python -m pip install --quiet --upgrade pip
        .venv/bin/python -m pip install --quiet --constraint constraints.txt -e "$spec"
        echo "$stamp" > .venv/.tipchat-installed
    fi
}

ensure_contracts() {  # install contracts/ (solc, anvil) again only when package-lock.json changed
    # Same Node.js as the web client. --ignore-scripts: the anvil binary arrives in its
    # per-platform npm package; the install script would only download it again.
    local stamp
    stamp="$(sha256sum contracts/package-lock.json | cut -c1-16)"
    if [[ "$(cat contracts/node_modules/.tipchat-installed 2>/dev/null)" != "$stamp" ]]; then
        echo "==> installing contracts/ dependencies (solc, anvil)" >&2
        (cd contracts && npm ci --ignore-scripts --no-audit --no-fund --loglevel=error)
        echo "$stamp" > contracts/node_modules/.tipchat-installed
    fi
    ensure_test_js
}

ensure_test_js() {  # tests/js (viem, siwe: SIWE messages as dapps make them), again only on a new lock
    local stamp
    stamp="$(sha256sum tests/js/package-lock.json | cut -c1-16)"
    if [[ "$(cat tests/js/node_modules/.tipchat-installed 2>/dev/null)" != "$stamp" ]]; then
        echo "==> installing tests/js dependencies (viem, siwe)" >&2
        (cd tests/js && npm ci --ignore-scripts --no-audit --no-fund --loglevel=error)
        echo "$stamp" > tests/js/node_modules/.tipchat-installed
    fi
}

ensure_web() {  # install web/ dependencies (again only when package-lock.json changed) and build
    if ! command -v node >/dev/null || ! node -e 'const [a,b]=process.versions.node.split(".").map(Number); process.exit(a>20||(a===20&&b>=19)?0:1)'; then
        echo "the web client needs Node.js 20.19 or newer (found: $(node --version 2>/dev/null || echo none))" >&2
        exit 1
    fi
    local stamp
    stamp="$(sha256sum web/package-lock.json | cut -c1-16)"
    if [[ "$(cat web/node_modules/.tipchat-installed 2>/dev/null)" != "$stamp" ]]; then
        echo "==> installing web/ dependencies" >&2
        (cd web && npm ci --no-audit --no-fund --loglevel=error)
        echo "$stamp" > web/node_modules/.tipchat-installed
    fi
    echo "==> building the web client" >&2
    (cd web && npx --no-install vite build --logLevel warn)
}
