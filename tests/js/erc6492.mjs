// An EIP-6492 signature made by viem, for tests/integration/test_siwe_6492.py: the owner's
// signature of a message, wrapped with the factory call that deploys the wallet; and viem's
// own verdict on it (its verifyMessage runs a deployless universal validator on the chain).
// stdin: {"privateKey", "message", "wallet", "factory", "factoryData", "rpcUrl"}
// stdout: {"signature": "0x...", "viemValid": true | false}
import { createPublicClient, http, serializeErc6492Signature } from "viem";
import { privateKeyToAccount } from "viem/accounts";

const input = JSON.parse(await new Promise((resolve) => {
  let text = "";
  process.stdin.on("data", (chunk) => (text += chunk));
  process.stdin.on("end", () => resolve(text));
}));
const owner = privateKeyToAccount(input.privateKey);
const signature = serializeErc6492Signature({
  address: input.factory,
  data: input.factoryData,
  signature: await owner.signMessage({ message: input.message }),
});
const client = createPublicClient({ transport: http(input.rpcUrl) });
const viemValid = await client.verifyMessage({
  address: input.wallet,
  message: input.message,
  signature,
});
process.stdout.write(JSON.stringify({ signature, viemValid }));
