// How the manager talks to one engine process, whether it spawned it (stdio pipes) or a
// template forked it (two Unix socket connections): protocol lines in and out, console output,
// its exit, and killing its process group.
import type { Readable } from 'node:stream';
import { execa } from 'execa';

export interface EngineChannel {
  readonly pid: number;
  /** Protocol lines from the engine. */
  readonly lines: Readable;
  /** Everything the engine (and dbt) printed. */
  readonly output: Readable;
  /** Resolves with how the engine ended ("exit code 4", "killed by SIGKILL", "exited"). */
  readonly exited: Promise<string>;
  write(line: string): void;
  /** Ends the engine's input: it exits once its requests are answered. */
  end(): void;
}

export interface SpawnCommand {
  python: string;
  script: string;
  args?: string[];
  env: Record<string, string>;
  cwd: string;
}

/** Spawns `python -u script` in its own process group (a kill reaches what it forks). */
export function spawnChannel(cmd: SpawnCommand): EngineChannel {
  const child = execa(cmd.python, ['-u', cmd.script, ...(cmd.args ?? [])], {
    cwd: cmd.cwd, env: cmd.env, extendEnv: false, detached: true, reject: false,
    stdin: 'pipe', stdout: 'pipe', stderr: 'pipe', buffer: false,
  });
  // A write to an engine that just died must not crash the worker; the exit is handled by `exited`.
  child.stdin?.on('error', () => undefined);
  return {
    pid: child.pid ?? -1,
    lines: child.stdout as Readable,
    output: child.stderr as Readable,
    exited: child.then((r) => (r.signal ? `killed by ${r.signal}` : `exit code ${r.exitCode ?? '?'}`)),
    write: (line) => void child.stdin?.write(line),
    end: () => void child.stdin?.end(),
  };
}

/** Kills a process group at once; ignores one that is gone. */
export function killGroup(pid: number): void {
  if (pid <= 0) return;
  try {
    process.kill(-pid, 'SIGKILL');
  } catch {
    // already gone
  }
}
