// Type-aware lint: the rules that catch what tsc lets through (unawaited promises, promises where a
// callback is expected, thrown non-errors, casts that do nothing) and the house rules (no `any` without a reason).
import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['dist/**', 'node_modules/**', '.wrangler/**'] },
  ...tseslint.configs.recommendedTypeChecked,
  {
    languageOptions: {
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
    },
    rules: {
      // tsc's noUnusedLocals/noUnusedParameters already say this.
      '@typescript-eslint/no-unused-vars': 'off',
      // An async function that implements a Promise-returning interface need not await anything.
      '@typescript-eslint/require-await': 'off',
      // Our interfaces are plain objects of closures, never `this`-bound classes: the rule could only cry wolf.
      '@typescript-eslint/unbound-method': 'off',
      // A `let` read by a callback made before its one assignment cannot be a const.
      'prefer-const': ['error', { ignoreReadBeforeAssign: true }],
    },
  },
  {
    // Tests read JSON answers (`await res.json()` is `any`) and pin their shape with expect(): the assertion is
    // the type check there, so the any-tracking rules would only add casts.
    files: ['test/**/*.ts'],
    rules: {
      '@typescript-eslint/no-explicit-any': 'off',
      '@typescript-eslint/no-unsafe-assignment': 'off',
      '@typescript-eslint/no-unsafe-member-access': 'off',
      '@typescript-eslint/no-unsafe-call': 'off',
      '@typescript-eslint/no-unsafe-argument': 'off',
      '@typescript-eslint/no-unsafe-return': 'off',
    },
  },
  {
    // The simulator echoes whatever JSON a client sent into its messages, as the apiserver echoes with %v.
    files: ['lib/sim/**/*.ts'],
    rules: { '@typescript-eslint/no-base-to-string': 'off' },
  },
  { files: ['**/*.js', '**/*.mjs'], ...tseslint.configs.disableTypeChecked },
);
