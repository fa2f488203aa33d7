// Options of the warm engine pool: how many engines, and when an engine is replaced.

export interface WarmEngineOptions {
  /**
   * Maximum number of live engine processes (each runs one dbt invocation at a time).
   * @default 4
   */
  maxEngines?: number;
  /**
   * Replace an engine after this many invocations (bounds slow leaks in dbt or adapters;
   * a replacement parses its projects again).
   * @default 1000
   */
  maxInvocations?: number;
  /**
   * Replace an engine whose resident memory exceeds this after an invocation.
   * @default 1024
   */
  maxRssMb?: number;
  /**
   * Stop engines that have been idle this long.
   * @default 300000
   */
  idleTimeoutMs?: number;
  /**
   * Time allowed for an engine to import dbt and report ready.
   * @default 60000
   */
  startTimeoutMs?: number;
}

export const DEFAULT_WARM_ENGINE_OPTIONS: Required<WarmEngineOptions> = {
  maxEngines: 4,
  maxInvocations: 1000,
  maxRssMb: 1024,
  idleTimeoutMs: 300_000,
  startTimeoutMs: 60_000,
};

function positiveInt(name: string, value: number): number {
  if (!Number.isInteger(value) || value < 1) throw new TypeError(`${name} must be a positive integer, got ${value}`);
  return value;
}

/** Fills in defaults and validates every option. */
export function compileWarmEngineOptions(opts: WarmEngineOptions = {}): Required<WarmEngineOptions> {
  const d = DEFAULT_WARM_ENGINE_OPTIONS;
  return {
    maxEngines: positiveInt('maxEngines', opts.maxEngines ?? d.maxEngines),
    maxInvocations: positiveInt('maxInvocations', opts.maxInvocations ?? d.maxInvocations),
    maxRssMb: positiveInt('maxRssMb', opts.maxRssMb ?? d.maxRssMb),
    idleTimeoutMs: positiveInt('idleTimeoutMs', opts.idleTimeoutMs ?? d.idleTimeoutMs),
    startTimeoutMs: positiveInt('startTimeoutMs', opts.startTimeoutMs ?? d.startTimeoutMs),
  };
}
