// Where a run's progress goes: a TTY gets dbt's lines scrolling above a status area redrawn in
// place; anything else (a pipe, a file, CI) gets plain lines; --quiet gets nothing until the end.
import type { RunStatus } from '../../shared/run-status.js';
import { statusArea } from './status-area.js';

export interface Display {
  /** New dbt-style log lines, in order. */
  lines(lines: readonly string[]): void;
  status(status: RunStatus | null): void;
  /** Removes the status area; the summary is printed after it. */
  close(): void;
}

export interface Terminal {
  write(text: string): void;
  /** Width in columns (a TTY's; plain output ignores it). */
  columns(): number;
}

const CSI = '\x1b[';

export class TtyDisplay implements Display {
  private drawn = 0;
  private last: RunStatus | null = null;
  private readonly timer: NodeJS.Timeout;

  constructor(private readonly term: Terminal, private readonly startedAt = Date.now()) {
    // Elapsed time and ETA move even when no node finishes.
    this.timer = setInterval(() => this.redraw([]), 1000);
    this.timer.unref();
    this.redraw([]);
  }

  lines(lines: readonly string[]): void {
    if (lines.length > 0) this.redraw(lines);
  }

  status(status: RunStatus | null): void {
    this.last = status;
    this.redraw([]);
  }

  close(): void {
    clearInterval(this.timer);
    this.term.write(this.erase());
    this.drawn = 0;
  }

  /** Moves to the top of the area, clears it, prints new lines above it and draws it again. */
  private redraw(scrolled: readonly string[]): void {
    const area = statusArea(this.last, Date.now() - this.startedAt, this.term.columns());
    const text = scrolled.map((l) => `${l}\n`).join('') + area.map((l) => `${l}\n`).join('');
    this.term.write(this.erase() + text);
    this.drawn = area.length;
  }

  private erase(): string {
    return this.drawn > 0 ? `${CSI}${this.drawn}F${CSI}J` : '';
  }
}

export class PlainDisplay implements Display {
  constructor(private readonly term: Terminal) {}

  lines(lines: readonly string[]): void {
    if (lines.length > 0) this.term.write(lines.map((l) => `${l}\n`).join(''));
  }

  status(): void {}

  close(): void {}
}

export class QuietDisplay implements Display {
  lines(): void {}
  status(): void {}
  close(): void {}
}

export type DisplayMode = 'tty' | 'plain' | 'quiet';

/** tty on a terminal, plain when stdout is not one or CI is set, quiet with --quiet. */
export function displayMode(opts: { quiet: boolean; isTty: boolean; ci: boolean }): DisplayMode {
  if (opts.quiet) return 'quiet';
  return opts.isTty && !opts.ci ? 'tty' : 'plain';
}

export function createDisplay(mode: DisplayMode, term: Terminal): Display {
  if (mode === 'tty') return new TtyDisplay(term);
  return mode === 'plain' ? new PlainDisplay(term) : new QuietDisplay();
}
