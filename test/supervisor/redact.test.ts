// Secrets are found in the environment and profiles and replaced by *** in text and data.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { profileSecrets } from '../../src/supervisor/config/profile-secrets.js';
import { dbtProcessEnv, secretValues } from '../../src/supervisor/config/secrets.js';
import { createRedactor } from '../../src/supervisor/redact.js';

describe('secrets', () => {
  it('collects known and secret-looking variables but not TLS paths or short values', () => {
    const found = secretValues({
      TEMPORAL_API_KEY: 'api-key-1', GITHUB_TOKEN: 'ghp_2222', PG_PASSWORD: 'pw-3333', DBT_ENV_SECRET_X: 'sec-4444',
      TEMPORAL_METRICS_OTLP_HEADERS: 'authorization=Bearer tok-5555', TEMPORAL_TLS_KEY: '/etc/key.pem', MY_TOKEN: 'x', PATH: '/usr/bin',
    });
    expect(found.sort()).toEqual(['Bearer tok-5555', 'api-key-1', 'authorization=Bearer tok-5555', 'ghp_2222', 'pw-3333', 'sec-4444'].sort());
  });

  it('keeps worker-only secrets out of the dbt environment', () => {
    const env = dbtProcessEnv({ TEMPORAL_API_KEY: 'a', GITHUB_TOKEN: 'b', GIT_TOKEN: 'c', TEMPORAL_METRICS_OTLP_HEADERS: 'd=e', PG_PASSWORD: 'kept', PATH: '/bin' });
    expect(env).toEqual({ PG_PASSWORD: 'kept', PATH: '/bin' });
  });

  it('finds literal passwords in profiles.yml but not env_var templates', () => {
    const dir = mkdtempSync(join(tmpdir(), 'prof-'));
    writeFileSync(join(dir, 'profiles.yml'), `p:\n  outputs:\n    dev:\n      type: postgres\n      password: literal-pw\n      user: "{{ env_var('U') }}"\n      private_key: "{{ env_var('K') }}"\n      token: tok-abc\n`);
    try {
      expect(profileSecrets([dir, join(dir, 'missing')]).sort()).toEqual(['literal-pw', 'tok-abc']);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('replaces every occurrence in text and nested data, longest secret first', () => {
    const r = createRedactor(['abcd', 'abcdef']);
    expect(r.text('x abcdef y abcd')).toBe('x *** y ***');
    r.add(['zzzz']);
    expect(r.data({ a: ['zzzz!'], b: { c: 'abcd' }, n: 3 })).toEqual({ a: ['***!'], b: { c: '***' }, n: 3 });
    expect(createRedactor([]).text('abcd')).toBe('abcd');
  });

  it('never rewrites identifiers a run depends on, even when a short secret occurs in them', () => {
    const r = createRedactor(['bench']);
    const plan = { project: 'bench_project', nodes: [{ unique_id: 'model.bench_project.m', depends_on: ['seed.bench_project.s'], message: 'password bench rejected' }] };
    expect(r.data(plan)).toEqual({
      project: 'bench_project',
      nodes: [{ unique_id: 'model.bench_project.m', depends_on: ['seed.bench_project.s'], message: 'password *** rejected' }],
    });
  });
});
