// The supervisor <-> executor-thread protocol: plain data, discriminated on `type`.
import type { JsonValue, NodeResult } from './contracts.js';
import type { ErrorData } from './errors.js';

/** How to invoke dbt for one project; shared by every task kind. */
export interface DbtInvocation {
  dbtPath: string;
  projectDir: string;
  profilesDir: string;
  target: string | null;
  vars: Record<string, JsonValue>;
  /** Complete environment of the dbt process (worker env plus the run's overrides). */
  env: Record<string, string>;
  /** dbt's partial_parse.msgpack from the startup resolve, to skip re-parsing. */
  partialParse: Uint8Array | null;
  timeoutMs: number;
}

export interface ParseTask {
  type: 'parse';
  invocation: DbtInvocation;
}

export interface ListTask {
  type: 'list';
  invocation: DbtInvocation;
  select: string | null;
  exclude: string | null;
  indirectSelection: string | null;
  resourceTypes: string[];
}

export interface NodeTask {
  type: 'node';
  invocation: DbtInvocation;
  uniqueId: string;
  /** dbt subcommand used to execute the node (`build`, or `test` for unit tests). */
  subcommand: 'build' | 'test';
  /** A selector that matches exactly this node. */
  selector: string;
  fullRefresh: boolean;
}

export type ExecutorTask = ParseTask | ListTask | NodeTask;

export interface ParseResult {
  type: 'parsed';
  manifestJson: string;
  partialParse: Uint8Array | null;
}

export interface ListResult {
  type: 'listed';
  uniqueIds: string[];
}

export interface NodeTaskResult {
  type: 'node';
  result: NodeResult;
  /** Timing breakdown of the task on the executor side, in milliseconds. */
  overheadMs: { queued: number; engine: number };
}

export interface ExecutorError extends ErrorData {
  type: 'error';
  /** The node result dbt reported, when it got that far. */
  result?: NodeResult;
}

export type ExecutorResult = ParseResult | ListResult | NodeTaskResult | ExecutorError;
