// The Temporal SDK (Rust Core) exposes its worker metrics on its own Prometheus endpoint;
// we read it at scrape time and append it to ours, so one /metrics has both.
import type { WorkerMetrics } from './metrics.js';

/** The URL to read a bind address from (a wildcard host is read over loopback). */
export function scrapeUrlFor(bindAddress: string): string {
  const m = /^(.*):(\d+)$/.exec(bindAddress);
  const host = m?.[1] ?? '127.0.0.1';
  const local = host === '0.0.0.0' || host === '[::]' || host === '::' ? '127.0.0.1' : host;
  return `http://${local}:${m?.[2] ?? '9464'}/metrics`;
}

/** Renders our registry followed by the SDK's metrics (skipped, and counted, when unreadable). */
export function metricsRenderer(metrics: WorkerMetrics, sdkUrl: string | null, timeoutMs = 5_000): () => Promise<string> {
  return async () => {
    let sdk = '';
    if (sdkUrl !== null) {
      try {
        const res = await fetch(sdkUrl, { signal: AbortSignal.timeout(timeoutMs) });
        if (!res.ok) throw new Error(`HTTP ${res.status}`);
        sdk = await res.text();
      } catch {
        metrics.sdkScrapeErrors.inc();
      }
    }
    const ours = await metrics.registry.metrics();
    const tail = sdk.trim() === '' ? '' : sdk.endsWith('\n') ? sdk : `${sdk}\n`;
    return `${ours.endsWith('\n') ? ours : `${ours}\n`}${tail}`;
  };
}
