import js from "@eslint/js";
import tseslint from "typescript-eslint";

export default tseslint.config(
  { ignores: ["dist/", "node_modules/", "notebooks/", "**/*.js"] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    rules: {
      "@typescript-eslint/no-unused-vars": ["error", { argsIgnorePattern: "^_", varsIgnorePattern: "^_" }],
    },
  },
  {
    // Functions short enough to read at once; lib/synth's phantom drawing is exempt (one long
    // table-like description per tissue reads better whole).
    files: ["lib/**/*.ts"],
    ignores: ["lib/synth/**"],
    rules: { "max-lines-per-function": ["error", { max: 80 }] },
  },
);
