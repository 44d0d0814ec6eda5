/**
 * Open TCP connections by id, with an index by remote address:port so a request or response to a
 * peer reuses a connection already open to it (RFC 3261 §18.1.1 / §18.2.2 connection reuse).
 */
import type { TcpConnection } from './tcp-connection.js';
import { formatHostPort } from './transport-error.js';

export class ConnectionTable {
  private readonly byIdMap = new Map<string, TcpConnection>();
  private readonly byRemoteMap = new Map<string, Set<TcpConnection>>();

  get size(): number {
    return this.byIdMap.size;
  }

  add(connection: TcpConnection): void {
    this.byIdMap.set(connection.id, connection);
    const key = remoteKey(connection.remote.address, connection.remote.port);
    let set = this.byRemoteMap.get(key);
    if (!set) {
      set = new Set();
      this.byRemoteMap.set(key, set);
    }
    set.add(connection);
  }

  remove(connection: TcpConnection): void {
    if (this.byIdMap.get(connection.id) === connection) this.byIdMap.delete(connection.id);
    const key = remoteKey(connection.remote.address, connection.remote.port);
    const set = this.byRemoteMap.get(key);
    if (!set) return;
    set.delete(connection);
    if (set.size === 0) this.byRemoteMap.delete(key);
  }

  /** The connection with this id, whatever its state. */
  get(id: string): TcpConnection | undefined {
    return this.byIdMap.get(id);
  }

  /** The most recently opened connection to address:port that is still open. */
  byRemote(address: string, port: number): TcpConnection | undefined {
    const set = this.byRemoteMap.get(remoteKey(address, port));
    if (!set) return undefined;
    let found: TcpConnection | undefined;
    for (const connection of set) if (connection.state === 'open') found = connection;
    return found;
  }

  all(): TcpConnection[] {
    return [...this.byIdMap.values()];
  }
}

/** IPv6 text compared case-insensitively; other differences in spelling are not normalised. */
export function remoteKey(address: string, port: number): string {
  return formatHostPort(address.toLowerCase(), port);
}
