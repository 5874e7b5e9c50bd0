// Compile the contracts with the pinned solcjs and write their artifacts (ABI, bytecode,
// compiler, settings, sha256 of the source). The Python package ships the artifacts, so
// running tipchat never needs a compiler; `node build.mjs --check` fails when a committed
// artifact no longer matches its source (a test runs it).
//
//   node build.mjs          write the artifacts
//   node build.mjs --check  compare only; exit 1 and name the stale ones
import { createHash } from 'node:crypto'
import { readFileSync, writeFileSync, mkdirSync } from 'node:fs'
import { dirname, join, basename } from 'node:path'
import { fileURLToPath } from 'node:url'
import solc from 'solc'

const here = dirname(fileURLToPath(import.meta.url))
const root = join(here, '..')

// Shipped contracts go into the package; test-only ones stay with the tests.
const TARGETS = [
  { source: 'TipRouter.sol', out: 'src/tipchat/tips/artifacts' },
  { source: 'TestUSD.sol', out: 'src/tipchat/tips/artifacts' },
  { source: 'Erc6492Check.sol', out: 'src/tipchat/tips/artifacts' },
  { source: 'test/NoBoolToken.sol', out: 'tests/integration/chain_artifacts' },
  { source: 'test/OwnedWallet.sol', out: 'tests/integration/chain_artifacts' },
  { source: 'test/OwnedWalletFactory.sol', out: 'tests/integration/chain_artifacts' },
]

// Optimizer on with the usual 200 runs. EVM "paris" (no PUSH0): the router may be deployed
// to any EVM chain, and paris bytecode runs on every one of them, for a few gas more.
const SETTINGS = {
  optimizer: { enabled: true, runs: 200 },
  evmVersion: 'paris',
  outputSelection: { '*': { '*': ['abi', 'evm.bytecode.object', 'evm.deployedBytecode.object'] } },
}

// Relative imports (OwnedWalletFactory imports OwnedWallet) are read from contracts/; the
// artifact's sha256 is of its own source only, and `--check` recompiles, so an imported file
// that changed still shows as stale.
function findImports(path) {
  const full = join(here, path)
  if (!full.startsWith(here + '/')) return { error: `import outside contracts/: ${path}` }
  try { return { contents: readFileSync(full, 'utf8') } } catch { return { error: `not found: ${path}` } }
}

function compile(target) {
  const content = readFileSync(join(here, target.source), 'utf8')
  const input = { language: 'Solidity', sources: { [target.source]: { content } }, settings: SETTINGS }
  const output = JSON.parse(solc.compile(JSON.stringify(input), { import: findImports }))
  const errors = (output.errors ?? []).filter((e) => e.severity === 'error')
  for (const e of output.errors ?? []) console.error(e.formattedMessage)
  if (errors.length) process.exit(2)
  const name = basename(target.source, '.sol')
  const contract = output.contracts[target.source][name]
  const { outputSelection, ...settings } = SETTINGS
  const artifact = {
    contractName: name,
    source: `contracts/${target.source}`,
    sourceSha256: createHash('sha256').update(content).digest('hex'),
    compiler: solc.version(),
    settings,
    abi: contract.abi,
    bytecode: '0x' + contract.evm.bytecode.object,
    deployedBytecode: '0x' + contract.evm.deployedBytecode.object,
  }
  return { path: join(root, target.out, `${name}.json`), text: JSON.stringify(artifact, null, 2) + '\n' }
}

const check = process.argv.includes('--check')
let stale = 0
for (const target of TARGETS) {
  const { path, text } = compile(target)
  const rel = path.slice(root.length + 1)
  if (check) {
    let current = ''
    try { current = readFileSync(path, 'utf8') } catch { /* missing counts as stale */ }
    if (current !== text) {
      console.error(`stale: ${rel} does not match contracts/${target.source} (run: node contracts/build.mjs)`)
      stale++
    }
  } else {
    mkdirSync(dirname(path), { recursive: true })
    writeFileSync(path, text)
    console.log(`wrote ${rel}`)
  }
}
if (stale) process.exit(1)
if (check) console.log('artifacts match their sources')
