import js from "@eslint/js";
import reactHooks from "eslint-plugin-react-hooks";
import globals from "globals";
import tseslint from "typescript-eslint";

export default tseslint.config(
  { ignores: ["dist", "node_modules", "src/lib/api/schema.d.ts", "test-results", "playwright-report"] },
  {
    extends: [js.configs.recommended, ...tseslint.configs.recommended],
    files: ["**/*.{ts,tsx}"],
    languageOptions: { ecmaVersion: 2022, globals: { ...globals.browser, ...globals.node } },
    plugins: { "react-hooks": reactHooks },
    rules: {
      ...reactHooks.configs.recommended.rules,
      // Features do not import each other (bulletproof-react); they share lib/ and components/.
      "no-restricted-imports": [
        "error",
        { patterns: [{ group: ["../features/*", "../../features/*"], message: "features do not import each other; move shared code to lib/ or components/" }] },
      ],
    },
  },
  {
    files: ["src/lib/socket/**"],
    rules: {
      "no-restricted-imports": ["error", { paths: [{ name: "react", message: "the socket client is plain TypeScript" }] }],
    },
  },
);
