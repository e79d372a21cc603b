// Type-aware lint: the rules that catch what tsc lets through (unawaited promises, promises where a
// callback is expected, thrown non-errors, casts that do nothing) and the house rules (no `any` without a reason).
import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['dist/**', 'node_modules/**'] },
  ...tseslint.configs.recommendedTypeChecked,
  {
    languageOptions: {
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
    },
    rules: {
      // tsc's noUnusedLocals/noUnusedParameters already say this.
      '@typescript-eslint/no-unused-vars': 'off',
    },
  },
  { files: ['**/*.js', '**/*.mjs'], ...tseslint.configs.disableTypeChecked },
);
