// Where the pool's engines come from: spawned (the first, or when forking is off or fails), or
// forked from a template per Python/engine script once a second engine is due. The template
// starts beside that second engine (which is still spawned) and serves every later start,
// replacements included.
import { tmpdir } from 'node:os';
import { EngineProcess } from './engine-process.js';
import type { EngineReady } from './protocol.js';
import { EngineTemplate } from './engine-template.js';
import type { SpawnCommand } from './engine-channel.js';

type Launch = SpawnCommand & { startTimeoutMs: number };

export class EngineTemplates {
  private readonly ready = new Map<string, EngineTemplate>();
  private readonly starting = new Set<string>();
  /** Templates that could not start: their engines are spawned. */
  private readonly failed = new Set<string>();
  private closed = false;
  /** Engines forked so far (for tests and metrics). */
  forked = 0;

  constructor(private readonly opts: { enabled: boolean; socketDir: string | null }) {}

  /** Resident memory of the live templates, in MiB. */
  get rssMb(): number {
    return [...this.ready.values()].reduce((sum, t) => sum + (t.alive ? t.rssMb : 0), 0);
  }

  /** A new engine: forked when a template is ready, else spawned (and a template started if due). */
  async launch(cmd: Launch, liveEngines: number): Promise<{ engine: EngineProcess; ready: EngineReady }> {
    const key = `${cmd.python}\u0000${cmd.script}\u0000${cmd.cwd}`;
    const template = this.ready.get(key);
    if (template?.alive) {
      const channel = await template.fork(cmd.startTimeoutMs);
      if (channel) {
        this.forked += 1;
        return EngineProcess.over(channel, cmd.startTimeoutMs);
      }
    }
    if (this.opts.enabled && liveEngines >= 1 && !this.starting.has(key) && !this.failed.has(key) && !template?.alive && !this.closed) {
      this.starting.add(key);
      void EngineTemplate.start(cmd, this.opts.socketDir ?? tmpdir(), cmd.startTimeoutMs).then((t) => {
        this.starting.delete(key);
        if (!t) this.failed.add(key);
        else if (this.closed) t.close();
        else this.ready.set(key, t);
      });
    }
    return EngineProcess.start(cmd);
  }

  close(): void {
    this.closed = true;
    for (const t of this.ready.values()) t.close();
    this.ready.clear();
  }
}
