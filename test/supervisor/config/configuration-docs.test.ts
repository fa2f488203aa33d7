// docs/configuration.md lists exactly the environment variables the code reads.
import { readFileSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { REPO_ROOT } from '../../support/paths.js';

function sourceFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? sourceFiles(path) : path.endsWith('.ts') ? [path] : [];
  });
}

/** Names read through the config readers, `env['X']` (not assignments/deletes) or process.env. */
function variablesReadByCode(): Set<string> {
  const names = new Set<string>();
  const patterns = [
    /\bread[A-Za-z]*\(env, '([A-Z][A-Z0-9_]+)'/g,
    /(?<![.\w])(?<!delete )env\['([A-Z][A-Z0-9_]+)'\](?!\s*=[^=])/g,
    /process\.env\['([A-Z][A-Z0-9_]+)'\]/g,
    /process\.env\.([A-Z][A-Z0-9_]+)/g,
  ];
  for (const file of sourceFiles(join(REPO_ROOT, 'src'))) {
    const text = readFileSync(file, 'utf8');
    for (const re of patterns) for (const m of text.matchAll(re)) names.add(m[1] as string);
  }
  return names;
}

function variablesDocumented(): Set<string> {
  const doc = readFileSync(join(REPO_ROOT, 'docs/configuration.md'), 'utf8');
  return new Set([...doc.matchAll(/^\| `([A-Z][A-Z0-9_]+)` \|/gm)].map((m) => m[1] as string));
}

describe('docs/configuration.md', () => {
  const code = variablesReadByCode();
  const docs = variablesDocumented();

  it('documents every variable the code reads', () => {
    expect([...code].filter((n) => !docs.has(n)).sort()).toEqual([]);
  });

  it('lists no variable the code does not read', () => {
    expect([...docs].filter((n) => !code.has(n)).sort()).toEqual([]);
  });

  it('covers every variable of the deployment guide', () => {
    const guide = ['TEMPORAL_ADDRESS', 'TEMPORAL_NAMESPACE', 'TEMPORAL_TASK_QUEUE', 'TEMPORAL_API_KEY', 'TEMPORAL_TLS_CERT', 'TEMPORAL_TLS_KEY',
      'DBT_PROJECT_DIRS', 'DBT_PROFILES_DIR', 'DBT_TARGET', 'WRITE_ARTIFACTS', 'ARTIFACT_STORE', 'WORKER_TUNER', 'WORKER_MAX_CACHED_WORKFLOWS',
      'WORKER_STICKY_QUEUE_TIMEOUT_SECS', 'WORKER_NONSTICKY_TO_STICKY_POLL_RATIO', 'WORKER_MAX_ACTIVITIES_PER_SECOND',
      'WORKER_MAX_TASK_QUEUE_ACTIVITIES_PER_SECOND', 'WORKER_GRACEFUL_SHUTDOWN_SECS', 'HEALTH_PORT', 'HEALTH_FILE'];
    expect(guide.filter((n) => !docs.has(n) || !code.has(n))).toEqual([]);
  });
});
