// Commands that work with or without a daemon: through it when it runs, on the store directly when not.
import type { DaemonConnection } from '../client/connection';
import { Store } from '../store/store';
import type { CommandContext } from './command';

export async function withDaemonOrStore<T>(
  context: CommandContext,
  viaDaemon: (connection: DaemonConnection) => Promise<T>,
  viaStore: (store: Store) => Promise<T>,
): Promise<T> {
  let connection: DaemonConnection | undefined;
  try {
    connection = await context.connect();
  } catch (error) {
    if ((error as { code?: string }).code !== 'no-daemon') throw error;
  }
  if (connection) {
    try {
      return await viaDaemon(connection);
    } finally {
      connection.close();
    }
  }
  const store = Store.open(context.paths.store);
  try {
    return await viaStore(store);
  } finally {
    await store.close();
  }
}
