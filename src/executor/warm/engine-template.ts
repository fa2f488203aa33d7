// An engine template: one Python process that imported dbt and forks ready engines on request
// (template.py), so a second engine starts in milliseconds, not seconds, and shares the
// template's pages. Forked engines connect back on a Unix socket: one connection carries the
// engine protocol, the other its console output.
import { randomUUID } from 'node:crypto';
import { rmSync } from 'node:fs';
import { createServer } from 'node:net';
import type { Server, Socket } from 'node:net';
import { createInterface } from 'node:readline';
import { join } from 'node:path';
import { killGroup, spawnChannel } from './engine-channel.js';
import type { EngineChannel, SpawnCommand } from './engine-channel.js';

/** Longest Unix socket path Linux takes (sun_path), less a margin. */
const MAX_SOCKET_PATH = 100;

interface Pending {
  sockets: Partial<Record<'protocol' | 'output', Socket>>;
  pid: number;
  resolve: (c: EngineChannel | null) => void;
}

/** Reads the hello line a forked engine sends first, leaving the rest of the stream unread. */
function readHello(socket: Socket, onHello: (hello: { token?: string; kind?: string; pid?: number }) => void): void {
  let buf = Buffer.alloc(0);
  const onData = (chunk: Buffer): void => {
    buf = Buffer.concat([buf, chunk]);
    const nl = buf.indexOf(10);
    if (nl < 0) return;
    socket.off('data', onData);
    socket.pause();
    if (nl + 1 < buf.length) socket.unshift(buf.subarray(nl + 1));
    try {
      onHello(JSON.parse(buf.subarray(0, nl).toString('utf8')) as { token?: string; kind?: string; pid?: number });
    } catch {
      socket.destroy();
    }
  };
  socket.on('data', onData);
  socket.on('error', () => undefined);
}

export class EngineTemplate {
  /** The template's resident memory at start-up (what it adds to the worker). */
  rssMb = 0;
  private readonly pending = new Map<string, Pending>();
  private closed = false;

  private constructor(private readonly channel: EngineChannel, private readonly server: Server, private readonly socketPath: string) {
    createInterface({ input: channel.lines }).on('line', (line) => {
      if (!line.startsWith('{')) return;
      const msg = JSON.parse(line) as { type?: string; token?: string; pid?: number };
      const p = msg.type === 'forked' && msg.token ? this.pending.get(msg.token) : undefined;
      if (p && msg.pid) p.pid = msg.pid;
    });
    channel.output.resume();
    void channel.exited.then(() => {
      this.closed = true;
      for (const p of this.pending.values()) p.resolve(null);
      this.pending.clear();
    });
    server.on('connection', (socket) => readHello(socket, (hello) => this.attach(socket, hello)));
  }

  get alive(): boolean {
    return !this.closed;
  }

  /** Starts a template and waits for it to import dbt; null when it cannot (spawn engines instead). */
  static async start(cmd: SpawnCommand, socketDir: string, startTimeoutMs: number): Promise<EngineTemplate | null> {
    const socketPath = join(socketDir, `t-${randomUUID().slice(0, 8)}.sock`);
    if (socketPath.length > MAX_SOCKET_PATH) return null;
    const server = createServer();
    await new Promise<void>((resolve, reject) => server.once('error', reject).listen(socketPath, resolve)).catch(() => null);
    if (!server.listening) return null;
    server.unref();
    const channel = spawnChannel({ ...cmd, args: ['--template'] });
    const ready = await new Promise<{ rss_mb?: number } | null>((resolve) => {
      const timer = setTimeout(() => resolve(null), startTimeoutMs);
      const lines = createInterface({ input: channel.lines });
      lines.once('line', (line) => {
        clearTimeout(timer);
        lines.close();
        try {
          resolve(JSON.parse(line) as { rss_mb?: number });
        } catch {
          resolve(null);
        }
      });
      void channel.exited.then(() => resolve(null));
    });
    if (!ready) {
      killGroup(channel.pid);
      server.close();
      return null;
    }
    const template = new EngineTemplate(channel, server, socketPath);
    template.rssMb = ready.rss_mb ?? 0;
    return template;
  }

  /** A freshly forked engine's channel, or null when the template cannot fork one in time. */
  fork(timeoutMs: number): Promise<EngineChannel | null> {
    if (this.closed) return Promise.resolve(null);
    const token = randomUUID();
    return new Promise((resolve) => {
      const timer = setTimeout(() => done(null), timeoutMs);
      const done = (c: EngineChannel | null): void => {
        clearTimeout(timer);
        const p = this.pending.get(token);
        this.pending.delete(token);
        if (!c && p) {
          for (const s of Object.values(p.sockets)) s?.destroy();
          if (p.pid > 0) killGroup(p.pid);
        }
        resolve(c);
      };
      this.pending.set(token, { sockets: {}, pid: -1, resolve: done });
      this.channel.write(`${JSON.stringify({ op: 'fork', token, socket: this.socketPath })}\n`);
    });
  }

  private attach(socket: Socket, hello: { token?: string; kind?: string; pid?: number }): void {
    const p = hello.token ? this.pending.get(hello.token) : undefined;
    if (!p || (hello.kind !== 'protocol' && hello.kind !== 'output')) return void socket.destroy();
    p.sockets[hello.kind] = socket;
    if (hello.pid) p.pid = hello.pid;
    const { protocol, output } = p.sockets;
    if (!protocol || !output) return;
    const exited = new Promise<string>((resolve) => protocol.once('close', () => resolve('exited')));
    p.resolve({
      pid: p.pid,
      lines: protocol,
      output,
      exited,
      write: (line) => void (protocol.writable && protocol.write(line)),
      end: () => void protocol.end(),
    });
  }

  /** Stops the template (its forked engines are the pool's to stop); idempotent. */
  close(): void {
    this.closed = true;
    killGroup(this.channel.pid);
    this.server.close();
    rmSync(this.socketPath, { force: true });
  }
}
