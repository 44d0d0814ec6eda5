/** `host:port` for a Via sent-by, IPv6 references in brackets (RFC 3261 §25.1 `IPv6reference`). */
export function formatHostPortForVia(address: string, port: number): string {
  return address.includes(':') ? `[${address}]:${port}` : `${address}:${port}`;
}
