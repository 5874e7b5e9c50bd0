import js from "@eslint/js";
import reactHooks from "eslint-plugin-react-hooks";
import globals from "globals";
import tseslint from "typescript-eslint";

// Features do not import each other (bulletproof-react); they share lib/ and components/.
const featuresApart = {
  group: ["../features/*", "../../features/*"],
  message: "features do not import each other; move shared code to lib/ or components/",
};

// The wallet stack is most of the client's weight: the chat must load without it, so only
// the modules loaded on demand import it (a type import costs nothing).
const walletStackOnDemand = [
  {
    group: ["wagmi", "wagmi/*", "@wagmi/*", "viem/siwe", "**/wallet/stack", "**/wallet/stack/*", "**/tips/wallet", "**/tips/wallet/*"],
    allowTypeImports: true,
    message: "the wallet stack loads on demand: import it from lib/wallet/stack or features/tips/wallet only, or with import()",
  },
  { group: ["./wallet", "./wallet/*"], allowTypeImports: true, message: "features/tips/wallet loads on demand: use lazyWallet.ts" },
];

export default tseslint.config(
  { ignores: ["dist", "node_modules", "src/lib/api/schema.d.ts", "test-results", "playwright-report"] },
  {
    extends: [js.configs.recommended, ...tseslint.configs.recommended],
    files: ["**/*.{ts,tsx}"],
    languageOptions: { ecmaVersion: 2022, globals: { ...globals.browser, ...globals.node } },
    plugins: { "react-hooks": reactHooks },
    rules: {
      ...reactHooks.configs.recommended.rules,
      "no-restricted-imports": ["error", { patterns: [featuresApart, ...walletStackOnDemand] }],
    },
  },
  {
    // The wallet stack and the parts that use it: loaded on demand (features/tips/lazyWallet.ts).
    files: ["src/lib/wallet/stack/**", "src/features/tips/wallet/**"],
    rules: { "no-restricted-imports": ["error", { patterns: [featuresApart] }] },
  },
  {
    files: ["src/lib/socket/**"],
    rules: {
      "no-restricted-imports": ["error", { paths: [{ name: "react", message: "the socket client is plain TypeScript" }] }],
    },
  },
);
