// Makes and signs SIWE (EIP-4361) messages the way dapps do, for tests/integration/test_siwe.py.
// stdin: {"lib": "viem" | "siwe", "privateKey": "0x...", "fields": {domain, address, uri,
// chainId, nonce, issuedAt, statement?, expirationTime?, notBefore?, requestId?, resources?}}
// stdout: {"message": "...", "signature": "0x..."}
import { privateKeyToAccount } from "viem/accounts";
import { createSiweMessage } from "viem/siwe";
import { SiweMessage } from "siwe";

const input = JSON.parse(await new Promise((resolve) => {
  let text = "";
  process.stdin.on("data", (chunk) => (text += chunk));
  process.stdin.on("end", () => resolve(text));
}));
const account = privateKeyToAccount(input.privateKey);
const fields = { version: "1", ...input.fields };
let message;
if (input.lib === "viem") {
  const dates = {};
  for (const key of ["issuedAt", "expirationTime", "notBefore"]) {
    if (fields[key]) dates[key] = new Date(fields[key]);
  }
  message = createSiweMessage({ ...fields, ...dates });
} else if (input.lib === "siwe") {
  message = new SiweMessage(fields).prepareMessage();
} else {
  throw new Error(`unknown lib ${input.lib}`);
}
const signature = await account.signMessage({ message });
process.stdout.write(JSON.stringify({ message, signature }));
