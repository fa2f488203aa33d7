// A lifecycle-hook workflow for tests (the Rust project's `hook_echo`): returns its input, or
// `input.return` when given; fails with `input.error`; waits `input.sleep_ms` first.
import { ApplicationFailure, sleep } from '@temporalio/workflow';

interface EchoInput {
  return?: unknown;
  error?: string;
  sleep_ms?: number;
}

export async function hook_echo(input: unknown): Promise<unknown> {
  const i = (typeof input === 'object' && input !== null ? input : {}) as EchoInput;
  if (typeof i.sleep_ms === 'number') await sleep(i.sleep_ms);
  if (typeof i.error === 'string') throw ApplicationFailure.nonRetryable(i.error, 'HookEchoError');
  return 'return' in i ? i.return : input;
}
