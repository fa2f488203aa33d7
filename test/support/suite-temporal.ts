// The suite's dev server for a test file that runs its own Temporal workers: a client and a
// native connection opened before the file's tests and closed after them.
import { Client, Connection } from '@temporalio/client';
import { DefaultLogger, NativeConnection, Runtime } from '@temporalio/worker';
import { afterAll, beforeAll, inject } from 'vitest';

export interface SuiteTemporal {
  /** A client of the dev server (valid inside tests). */
  client(): Client;
  /** A native connection for `Worker.create` (valid inside tests). */
  nativeConnection(): NativeConnection;
}

export function useSuiteTemporal(): SuiteTemporal {
  let connection: Connection | undefined;
  let native: NativeConnection | undefined;
  let client: Client | undefined;
  beforeAll(async () => {
    try {
      Runtime.install({ logger: new DefaultLogger('ERROR') });
    } catch {
      // installed already in this process
    }
    native = await NativeConnection.connect({ address: inject('temporalAddress') });
    connection = await Connection.connect({ address: inject('temporalAddress') });
    client = new Client({ connection });
  });
  afterAll(async () => {
    await connection?.close();
    await native?.close();
  });
  const ready = <T>(v: T | undefined, what: string): T => {
    if (v === undefined) throw new Error(`${what} is used outside the file's tests`);
    return v;
  };
  return { client: () => ready(client, 'the suite client'), nativeConnection: () => ready(native, 'the native connection') };
}
