// What a warm worker's parse depends on, cheaply: the project's source files (path, size,
// mtime), profiles.yml, the environment and the working directory. The daemon keeps its
// worker while this is unchanged and starts a fresh one (a fresh parse) when it is not, so an
// edited model, profile or env is picked up as plain dbt picks it up.
import { createHash } from 'node:crypto';
import { readdirSync, statSync } from 'node:fs';
import { extname, join } from 'node:path';

type Env = Record<string, string | undefined>;

/** Files dbt parses (models, macros, seeds, docs, YAML): data files such as a .duckdb never count. */
const SOURCE_EXTENSIONS = new Set(['.sql', '.py', '.yml', '.yaml', '.csv', '.md', '.jinja', '.jinja2', '.j2']);
/** Directories dbt writes or never parses. */
const SKIPPED_DIRS = new Set(['target', 'logs', 'node_modules', '__pycache__', 'venv']);
/** Shell bookkeeping that differs between two terminals and never reaches dbt. */
const VOLATILE_ENV = /^(PWD|OLDPWD|SHLVL|_|TERM.*|COLORTERM|COLUMNS|LINES|WINDOWID|TMUX.*|STY|SSH_.*|PS[1-4]|PROMPT_COMMAND|HISTFILE|HISTSIZE|LS_COLORS|VSCODE_.*|ITERM_.*|KITTY_.*|WT_.*|GPG_TTY|DISPLAY|WAYLAND_DISPLAY|XDG_SESSION_.*|XDG_VTNR|DBUS_SESSION_BUS_ADDRESS|KONSOLE_.*|GNOME_TERMINAL_.*|VTE_VERSION|ALACRITTY_.*|WEZTERM_.*|STARSHIP_.*|SHELL_SESSION_ID|INSIDE_EMACS)$/;

/** Budget of the walk: beyond it, the fingerprint covers what was seen (a huge tree is not a dbt project). */
const MAX_FILES = 50_000;

function walk(dir: string, rel: string, out: string[]): void {
  let entries;
  try {
    entries = readdirSync(dir, { withFileTypes: true });
  } catch {
    return;
  }
  entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  for (const e of entries) {
    if (out.length >= MAX_FILES) return;
    const path = join(dir, e.name);
    const relPath = rel ? `${rel}/${e.name}` : e.name;
    if (e.isDirectory()) {
      if (!e.name.startsWith('.') && !SKIPPED_DIRS.has(e.name)) walk(path, relPath, out);
    } else if (SOURCE_EXTENSIONS.has(extname(e.name)) || e.isSymbolicLink()) {
      out.push(`${relPath}\0${stamp(path)}`);
    }
  }
}

function stamp(path: string): string {
  try {
    const st = statSync(path);
    return `${st.size}:${st.mtimeMs}`;
  } catch {
    return 'missing';
  }
}

/** The env the worker sees, without the shell's per-terminal bookkeeping, as sorted pairs. */
export function workerEnvPairs(env: Env): [string, string][] {
  return Object.entries(env)
    .filter((kv): kv is [string, string] => kv[1] !== undefined && !VOLATILE_ENV.test(kv[0]))
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
}

export interface FingerprintInput {
  projectDir: string;
  profilesDir: string;
  /** The worker's environment (as the client would start it). */
  env: Env;
  /** Where relative paths in profiles (a DuckDB file) resolve: the client's working directory. */
  cwd: string;
}

/** A hash that changes whenever a fresh parse could differ (milliseconds on a 1,000-model project). */
export function workerFingerprint(input: FingerprintInput): string {
  const files: string[] = [];
  walk(input.projectDir, '', files);
  const profile = stamp(join(input.profilesDir, 'profiles.yml'));
  return createHash('sha256')
    .update(JSON.stringify([input.projectDir, input.profilesDir, input.cwd, profile, workerEnvPairs(input.env), files]))
    .digest('hex');
}
