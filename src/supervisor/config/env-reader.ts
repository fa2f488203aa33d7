// Typed readers over an environment map; each error names the variable, the value and the rule.
import { CodedError } from '../../shared/errors.js';

export type Env = Readonly<Record<string, string | undefined>>;

export function configError(name: string, value: string, rule: string): CodedError {
  return new CodedError('CONFIG_ERROR', `${name} must be ${rule}, got ${JSON.stringify(value)}`);
}

/** For secrets: names the variable and the rule, never the value. */
export function secretConfigError(name: string, rule: string): CodedError {
  return new CodedError('CONFIG_ERROR', `${name} must be ${rule} (value not shown: it is a secret)`);
}

/** The trimmed value, or undefined when unset or blank. */
export function readString(env: Env, name: string): string | undefined {
  const value = env[name]?.trim();
  return value === undefined || value === '' ? undefined : value;
}

/** `1`/`true` are true, `0`/`false` are false (case-insensitive); anything else is an error. */
export function readBool(env: Env, name: string, fallback: boolean): boolean {
  const value = readString(env, name);
  if (value === undefined) return fallback;
  const lower = value.toLowerCase();
  if (lower === '1' || lower === 'true') return true;
  if (lower === '0' || lower === 'false') return false;
  throw configError(name, value, 'one of 1, true, 0, false');
}

export function readInt(env: Env, name: string, fallback: number, min: number, max = Number.MAX_SAFE_INTEGER): number {
  const value = readString(env, name);
  if (value === undefined) return fallback;
  const n = Number(value);
  if (!/^-?\d+$/.test(value) || !Number.isSafeInteger(n) || n < min || n > max) {
    throw configError(name, value, `an integer between ${min} and ${max}`);
  }
  return n;
}

export function readNumber(env: Env, name: string, fallback: number, min: number, max?: number): number;
export function readNumber(env: Env, name: string, fallback: undefined, min: number, max?: number): number | undefined;
export function readNumber(env: Env, name: string, fallback: number | undefined, min: number, max = Number.MAX_VALUE): number | undefined {
  const value = readString(env, name);
  if (value === undefined) return fallback;
  const n = Number(value);
  if (!/^[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?$/.test(value) || !Number.isFinite(n) || n < min || n > max) {
    throw configError(name, value, `a number between ${min} and ${max === Number.MAX_VALUE ? 'infinity' : max}`);
  }
  return n;
}

/** A value from a fixed list (case-insensitive); `aliases` map extra spellings onto it. */
export function readEnum<T extends string>(env: Env, name: string, allowed: readonly T[], fallback: T, aliases: Readonly<Record<string, T>> = {}): T {
  const value = readString(env, name);
  if (value === undefined) return fallback;
  const lower = value.toLowerCase();
  const hit = allowed.find((a) => a === lower) ?? aliases[lower];
  if (!hit) throw configError(name, value, `one of ${[...allowed, ...Object.keys(aliases)].join(', ')}`);
  return hit;
}

/** A TCP port (0-65535; 0 asks the OS for a free one), or null when unset. */
export function readPort(env: Env, name: string): number | null {
  return readString(env, name) === undefined ? null : readInt(env, name, 0, 0, 65535);
}

/** `host:port` (IPv6 hosts in brackets), as a socket bind address. */
export function readHostPort(env: Env, name: string, fallback: string): string {
  const value = readString(env, name) ?? fallback;
  const m = /^(\[[0-9a-fA-F:.]+\]|[A-Za-z0-9.-]+):(\d{1,5})$/.exec(value);
  if (!m || Number(m[2]) > 65535) throw configError(name, value, 'a host:port bind address such as 0.0.0.0:9464');
  return value;
}
