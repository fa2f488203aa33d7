// `npm run bench` arguments: bare `--flag`s and `--name value` pairs, read and validated by
// the scenario that owns them (a bad value is a TypeError naming the option).

export interface Args {
  flag(name: string): boolean;
  string(name: string, fallback: string): string;
  /** A positive integer. */
  int(name: string, fallback: number): number;
  /** A comma-separated list of positive integers. */
  ints(name: string, fallback: readonly number[]): number[];
  /** A comma-separated list of names, each one of `allowed`. */
  names<T extends string>(name: string, fallback: readonly T[], allowed: readonly T[]): T[];
}

const positiveInt = (name: string, raw: string): number => {
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 1) throw new TypeError(`--${name} must be a positive integer, got ${raw}`);
  return n;
};

/** Reads `argv` (without node and the script). */
export function parseArgs(argv: readonly string[]): Args {
  const value = (name: string): string | undefined => {
    const i = argv.indexOf(`--${name}`);
    const v = i >= 0 ? argv[i + 1] : undefined;
    return v && !v.startsWith('--') ? v : undefined;
  };
  const list = (name: string): string[] | undefined => value(name)?.split(',').filter(Boolean);
  return {
    flag: (name) => argv.includes(`--${name}`),
    string: (name, fallback) => value(name) ?? fallback,
    int: (name, fallback) => {
      const v = value(name);
      return v === undefined ? fallback : positiveInt(name, v);
    },
    ints: (name, fallback) => list(name)?.map((v) => positiveInt(name, v)) ?? [...fallback],
    names: <T extends string>(name: string, fallback: readonly T[], allowed: readonly T[]): T[] => {
      const got = list(name) ?? [...fallback];
      for (const v of got) if (!allowed.includes(v as T)) throw new TypeError(`--${name} must be a list of ${allowed.join(', ')}, got '${v}'`);
      return got as T[];
    },
  };
}
