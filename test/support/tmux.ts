// A real terminal for display tests: a detached tmux session running one command, read back
// with `capture-pane` (what a user would see) and `pipe-pane` (every byte the command wrote,
// escape sequences included), keys sent with `send-keys`.
import { randomUUID } from 'node:crypto';
import { readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execa } from 'execa';

export interface TmuxSession {
  /** The visible screen (-J joins lines the terminal wrapped). */
  screen(): Promise<string>;
  /** The whole scrollback plus the screen. */
  history(): Promise<string>;
  /**
   * Everything the command wrote to the terminal so far, escape sequences included: what was
   * drawn, even when it was on screen too briefly for a `screen()` to catch it.
   */
  output(): Promise<string>;
  keys(...keys: string[]): Promise<void>;
  kill(): Promise<void>;
}

const shellQuote = (s: string): string => `'${s.replaceAll("'", "'\\''")}'`;

/** Starts `argv` in `cwd` with exactly `env` in a fresh tmux server of `width` x `height`. */
export async function startTmux(argv: string[], opts: { cwd: string; env: Record<string, string>; width?: number; height?: number }): Promise<TmuxSession> {
  const socket = `dbtt-${randomUUID().slice(0, 8)}`;
  const tmux = (...args: string[]) => execa('tmux', ['-L', socket, ...args], { reject: false });
  const envArgs = Object.entries(opts.env).map(([k, v]) => `${k}=${shellQuote(v)}`).join(' ');
  // The command keeps the pane open after it exits, so its last screen can still be read.
  const command = `cd ${shellQuote(opts.cwd)} && env -i ${envArgs} ${argv.map(shellQuote).join(' ')}; echo "EXIT=$?"; sleep 3600`;
  const r = await execa('tmux', ['-L', socket, '-f', '/dev/null', 'new-session', '-d', '-x', String(opts.width ?? 200), '-y', String(opts.height ?? 50), command], { reject: false });
  if (r.exitCode !== 0) throw new Error(`tmux new-session failed: ${String(r.stderr)}`);
  // Set within milliseconds of the start: the command writes nothing before node has started.
  const recording = join(tmpdir(), `${socket}.out`);
  const piped = await tmux('pipe-pane', '-o', `cat >> ${shellQuote(recording)}`);
  if (piped.exitCode !== 0) throw new Error(`tmux pipe-pane failed: ${String(piped.stderr)}`);
  return {
    screen: async () => String((await tmux('capture-pane', '-p', '-J')).stdout),
    history: async () => String((await tmux('capture-pane', '-p', '-J', '-S', '-')).stdout),
    output: async () => readFile(recording, 'utf8').catch(() => ''),
    keys: async (...keys) => void (await tmux('send-keys', ...keys)),
    kill: async () => {
      await tmux('kill-server');
      await rm(recording, { force: true });
    },
  };
}
