// Links into the Temporal Web UI: TEMPORAL_UI_URL, else the UI of a local dev server (which
// serves it on port 8233 next to the frontend's 7233).

/** The UI base URL for a frontend address, or null when there is no known UI. */
export function uiBaseUrl(env: Record<string, string | undefined>, address: string): string | null {
  const explicit = env['TEMPORAL_UI_URL']?.trim();
  if (explicit) return explicit.replace(/\/+$/, '');
  const m = /^(localhost|127\.0\.0\.1|\[::1\]):7233$/.exec(address.trim());
  return m ? `http://${m[1]}:8233` : null;
}

/** The page of one workflow run in the UI. */
export function workflowUrl(base: string, namespace: string, workflowId: string, runId: string): string {
  return `${base}/namespaces/${encodeURIComponent(namespace)}/workflows/${encodeURIComponent(workflowId)}/${encodeURIComponent(runId)}/history`;
}
