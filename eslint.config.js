// Lint: typescript-eslint recommended plus the dependency direction of DESIGN §3:
// shared <- executor <- supervisor, and workflow code sees only @temporalio/workflow + shared.
import tseslint from 'typescript-eslint';
import importX from 'eslint-plugin-import-x';
import { createTypeScriptImportResolver } from 'eslint-import-resolver-typescript';

const NODE_BUILTINS = ['node:*', 'fs', 'path', 'os', 'child_process', 'worker_threads', 'crypto', 'net', 'url', 'util'];

export default tseslint.config(
  { ignores: ['dist/**', 'node_modules/**', '.venv/**', 'bin/**'] },
  ...tseslint.configs.recommended,
  {
    files: ['**/*.ts'],
    plugins: { 'import-x': importX },
    settings: { 'import-x/resolver-next': [createTypeScriptImportResolver({ project: './tsconfig.json' })] },
    rules: {
      'import-x/no-cycle': 'error',
      '@typescript-eslint/consistent-type-imports': 'error',
      'import-x/no-restricted-paths': [
        'error',
        {
          zones: [
            { target: './src/shared', from: ['./src/executor', './src/supervisor'], message: 'shared imports nothing of ours' },
            { target: './src/executor', from: './src/supervisor', message: 'executor imports only shared' },
            {
              target: './src/supervisor',
              from: './src/executor',
              except: ['./index.ts'],
              message: 'supervisor uses the executor only through its index',
            },
            {
              target: './src/supervisor/workflows',
              from: ['./src/supervisor/config', './src/supervisor/projects', './src/supervisor/planning', './src/supervisor/cli', './src/executor'],
              message: 'workflow code imports only @temporalio/workflow, shared and activity types',
            },
          ],
        },
      ],
    },
  },
  {
    files: ['src/shared/**/*.ts', 'src/supervisor/workflows/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            { group: NODE_BUILTINS, message: 'shared and workflow code must stay free of Node builtins' },
            { group: ['@temporalio/*', '!@temporalio/workflow', '!@temporalio/common'], message: 'workflow code may import only @temporalio/workflow' },
          ],
        },
      ],
    },
  },
  {
    files: ['src/supervisor/workflows/**/*.ts'],
    rules: {
      '@typescript-eslint/no-restricted-imports': [
        'error',
        {
          patterns: [
            { group: ['../activities/*', '!../activities/index.js', '!../activities/execute-node.js'], allowTypeImports: true, message: 'workflows see activities through types only' },
          ],
          paths: [
            { name: '../activities/index.js', allowTypeImports: true, message: 'workflows see activities through types only' },
            { name: '../activities/execute-node.js', allowTypeImports: true, message: 'workflows see activities through types only' },
          ],
        },
      ],
    },
  },
);
