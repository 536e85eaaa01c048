// ESLint for kvdeck: TypeScript's recommended type-aware rules, React's rules of hooks, and
// jsx-a11y for the dashboard's markup. `npm run lint` runs it with zero warnings allowed.
import js from "@eslint/js";
import jsxA11y from "eslint-plugin-jsx-a11y";
import reactHooks from "eslint-plugin-react-hooks";
import globals from "globals";
import tseslint from "typescript-eslint";

export default tseslint.config(
  { ignores: ["build/**", "node_modules/**", "test-results/**", "playwright-report/**", "drizzle/**", "public/**", "**/*.js"] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { globals: { ...globals.node, ...globals.browser } },
    linterOptions: { reportUnusedDisableDirectives: "error" },
    rules: {
      "@typescript-eslint/no-unused-vars": ["error", { argsIgnorePattern: "^_", varsIgnorePattern: "^_", caughtErrors: "none" }],
      "@typescript-eslint/consistent-type-imports": "error",
      // Key names may hold any character; matching control characters is what kvdeck's escaping does.
      "no-control-regex": "off",
    },
  },
  {
    files: ["app/**/*.{ts,tsx}"],
    plugins: { "react-hooks": reactHooks },
    rules: reactHooks.configs.recommended.rules,
  },
  {
    files: ["app/**/*.tsx"],
    plugins: { "jsx-a11y": jsxA11y },
    rules: {
      ...jsxA11y.flatConfigs.recommended.rules,
      // kvdeck's form controls are components (app/components/ui) wrapped in or pointed at by a label.
      "jsx-a11y/label-has-associated-control": [
        "error",
        { assert: "either", controlComponents: ["Input", "Textarea", "Checkbox", "Select", "RadioGroup"], depth: 3 },
      ],
    },
  },
  // The upstream (kv/) and the optimistic cache (cache/) know nothing of each other; only the
  // feature layer (features/) combines them (docs/decisions/014-feature-layer.md).
  {
    files: ["app/kv/**/*.{ts,tsx}"],
    rules: {
      "no-restricted-imports": [
        "error",
        {
          patterns: [
            { group: ["~/cache/*", "**/cache/*"], message: "app/kv does not import the cache: combine them in app/features." },
            { group: ["~/features/*", "**/features/*"], message: "app/kv is below the feature layer: it does not import app/features." },
          ],
        },
      ],
    },
  },
  {
    files: ["app/cache/**/*.{ts,tsx}"],
    rules: {
      "no-restricted-imports": [
        "error",
        {
          patterns: [
            { group: ["~/kv/*", "**/kv/*"], message: "app/cache does not import the upstream: its callers pass what it needs." },
            { group: ["~/features/*", "**/features/*"], message: "app/cache is below the feature layer: it does not import app/features." },
          ],
        },
      ],
    },
  },
);
