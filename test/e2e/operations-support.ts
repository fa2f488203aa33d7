// Shared helpers of the operations end-to-end tests: a generated dbt project with a slow
// Python model, a test CA (openssl) and a loopback TLS proxy in front of the dev server,
// HTTP helpers, and process-tree inspection.
import { mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { connect } from 'node:net';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createServer as createTlsServer } from 'node:tls';
import { execa } from 'execa';
import { afterAll } from 'vitest';
import { procStatFields } from '../../src/supervisor/proc-stat.js';

const made: string[] = [];
// Registered when a test file imports this module, so before the file's own hooks: vitest runs
// after-hooks last-registered first, so this runs after the file has stopped its workers.
afterAll(() => {
  for (const dir of made.splice(0)) rmSync(dir, { recursive: true, force: true });
});

/** A scratch dir under the system's temp dir, removed after the test file. */
export function tempDir(prefix: string): string {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  made.push(dir);
  return dir;
}

/** `ops_duck`: slow (Python, sleeps OPS_SLEEP_S) -> after_slow, and `leaky`, which fails with the password in its SQL. */
export function writeOpsProject(dir: string): string {
  mkdirSync(join(dir, 'models'), { recursive: true });
  writeFileSync(join(dir, 'dbt_project.yml'), 'name: ops_duck\nversion: "1.0"\nprofile: ops_duck\n');
  writeFileSync(join(dir, 'profiles.yml'), [
    'ops_duck:', '  target: dev', '  outputs:', '    dev:', '      type: duckdb',
    `      path: "{{ env_var('OPS_DUCKDB_PATH') }}"`, `      password: "{{ env_var('OPS_DB_PASSWORD', 'unused') }}"`, '      threads: 1', '',
  ].join('\n'));
  writeFileSync(join(dir, 'models/slow.py'), [
    'import os', 'import time', '', 'def model(dbt, session):', '    dbt.config(materialized="table")',
    '    time.sleep(float(os.environ.get("OPS_SLEEP_S", "0")))', '    return session.sql("select 1 as id")', '',
  ].join('\n'));
  writeFileSync(join(dir, 'models/after_slow.sql'), "select * from {{ ref('slow') }}\n");
  writeFileSync(join(dir, 'models/leaky.sql'), `{{ config(materialized='table') }}\nselect '{{ env_var("OPS_DB_PASSWORD", "unused") }}'::integer as leaked\n`);
  return dir;
}

/** Polls until `check` returns a value (not undefined); the test's own timeout bounds it. */
export async function waitFor<T>(check: () => Promise<T | undefined> | T | undefined, everyMs = 200): Promise<T> {
  for (;;) {
    const v = await check();
    if (v !== undefined) return v;
    await new Promise((r) => setTimeout(r, everyMs));
  }
}

/** The HTTP port the worker logged (`HEALTH_PORT=0`). */
export function healthPort(logs: string): number | undefined {
  const m = /"port":(\d+)[^\n]*"msg":"health server listening"/.exec(logs);
  return m ? Number(m[1]) : undefined;
}

export async function httpGet(url: string): Promise<{ status: number; body: string }> {
  const res = await fetch(url);
  return { status: res.status, body: await res.text() };
}

export async function freePort(): Promise<number> {
  const { createServer } = await import('node:net');
  return new Promise((resolve) => {
    const srv = createServer().listen(0, '127.0.0.1', () => {
      const { port } = srv.address() as AddressInfo;
      srv.close(() => resolve(port));
    });
  });
}

export interface TestPki {
  ca: string;
  serverCert: string;
  serverKey: string;
  clientCert: string;
  clientKey: string;
}

/** A throw-away CA with a server certificate for localhost/127.0.0.1 and a client certificate. */
export async function makeTestPki(dir: string): Promise<TestPki> {
  const p = (n: string) => join(dir, n);
  const ssl = (args: string[]) => execa('openssl', args, { cwd: dir });
  await ssl(['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', p('ca.key'), '-out', p('ca.pem'), '-days', '1', '-subj', '/CN=dbt-temporal test CA']);
  for (const [name, ext] of [['server', 'subjectAltName=DNS:localhost,IP:127.0.0.1\nextendedKeyUsage=serverAuth'], ['client', 'extendedKeyUsage=clientAuth']] as const) {
    writeFileSync(p(`${name}.ext`), `${ext}\n`);
    await ssl(['req', '-newkey', 'rsa:2048', '-nodes', '-keyout', p(`${name}.key`), '-out', p(`${name}.csr`), '-subj', `/CN=${name === 'server' ? 'localhost' : 'dbt-temporal-worker'}`]);
    await ssl(['x509', '-req', '-in', p(`${name}.csr`), '-CA', p('ca.pem'), '-CAkey', p('ca.key'), '-CAcreateserial', '-out', p(`${name}.pem`), '-days', '1', '-extfile', p(`${name}.ext`)]);
  }
  return { ca: p('ca.pem'), serverCert: p('server.pem'), serverKey: p('server.key'), clientCert: p('client.pem'), clientKey: p('client.key') };
}

export interface TlsProxy {
  address: string;
  /** Client certificate subjects seen on accepted connections. */
  clientSubjects: string[];
  close(): Promise<void>;
}

/** Terminates TLS (optionally requiring a client certificate from the CA) and pipes to `target`. */
export async function startTlsProxy(pki: TestPki, target: string, requireClientCert: boolean): Promise<TlsProxy> {
  const [host, port] = [target.slice(0, target.lastIndexOf(':')), Number(target.slice(target.lastIndexOf(':') + 1))];
  const clientSubjects: string[] = [];
  const server = createTlsServer({
    key: readFileSync(pki.serverKey), cert: readFileSync(pki.serverCert), ca: readFileSync(pki.ca),
    requestCert: requireClientCert, rejectUnauthorized: requireClientCert, ALPNProtocols: ['h2'],
  }, (socket) => {
    const cn = socket.getPeerCertificate()?.subject?.CN;
    if (cn) clientSubjects.push(String(cn));
    const upstream = connect(port, host === 'localhost' ? '127.0.0.1' : host);
    socket.pipe(upstream).pipe(socket);
    const end = () => { socket.destroy(); upstream.destroy(); };
    socket.on('error', end);
    upstream.on('error', end);
  });
  server.on('tlsClientError', () => undefined);
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return {
    address: `localhost:${(server.address() as AddressInfo).port}`,
    clientSubjects,
    close: () => new Promise<void>((r) => server.close(() => r())),
  };
}

/** Pids of every live descendant of `pid` (from /proc). */
export function descendants(pid: number): number[] {
  const children = new Map<number, number[]>();
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    const fields = procStatFields(Number(entry));
    if (!fields) continue; // the process exited while we looked
    const ppid = Number(fields[1]);
    children.set(ppid, [...(children.get(ppid) ?? []), Number(entry)]);
  }
  const out: number[] = [];
  const walk = (p: number) => {
    for (const c of children.get(p) ?? []) {
      out.push(c);
      walk(c);
    }
  };
  walk(pid);
  return out;
}

export function isAlive(pid: number): boolean {
  const state = procStatFields(pid)?.[0];
  return state !== undefined && state !== 'Z' && state !== 'X';
}

export function cmdline(pid: number): string {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').replace(/\0/g, ' ');
  } catch {
    return '';
  }
}

export interface SpawnedWorker {
  pid: number;
  logs(): string;
  /** Exit code (null when killed by a signal). */
  exited: Promise<number | null>;
  signal(sig: NodeJS.Signals): void;
  /** Waits for a log line containing `text`; throws if the worker exits first. */
  waitForLog(text: string): Promise<void>;
}

/** Spawns `dbt-temporal worker` with exactly `env` (plus PATH). */
export function spawnWorker(env: Record<string, string>): SpawnedWorker {
  let output = '';
  const child = execa('node', [CLI_PATH, 'worker'], { env: { PATH: process.env['PATH'] ?? '', ...env }, extendEnv: false, reject: false, all: true, buffer: false, forceKillAfterDelay: false });
  child.all?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  let done = false;
  const exited = child.then((r) => {
    done = true;
    return r.exitCode ?? null;
  });
  return {
    pid: child.pid as number,
    logs: () => output,
    exited,
    signal: (sig) => child.kill(sig),
    async waitForLog(text) {
      await waitFor(() => {
        if (output.includes(text)) return true;
        if (done) throw new Error(`worker exited before logging "${text}":\n${output}`);
        return undefined;
      }, 100);
    },
  };
}

const CLI_PATH = new URL('../../bin/dbt-temporal.js', import.meta.url).pathname;
