/**
 * Which connected application gets a new request (drachtio-protocol.md §1, §4 `route`):
 * registrations are per connection and keyed by the lowercase verb (`invite`, `options`, …,
 * or `cdr:start` etc.); matching is case-insensitive; among several applications routed for the
 * same verb the choice rotates round-robin.
 */

export class ApplicationRouter<App> {
  private readonly routes = new Map<string, App[]>();
  private readonly cursors = new Map<string, number>();

  /** Register `app` for `verb`; registering twice is a no-op. */
  add(verb: string, app: App): void {
    const key = verb.toLowerCase();
    const apps = this.routes.get(key) ?? [];
    if (!apps.includes(app)) apps.push(app);
    this.routes.set(key, apps);
  }

  remove(verb: string, app: App): void {
    const key = verb.toLowerCase();
    const apps = this.routes.get(key);
    if (!apps) return;
    const index = apps.indexOf(app);
    if (index < 0) return;
    apps.splice(index, 1);
    if (apps.length === 0) {
      this.routes.delete(key);
      this.cursors.delete(key);
      return;
    }
    // Keep the rotation where it was: the app after the removed one is next.
    const cursor = this.cursors.get(key) ?? 0;
    if (index < cursor) this.cursors.set(key, cursor - 1);
    else if (cursor >= apps.length) this.cursors.set(key, 0);
  }

  /** Drop every registration of `app` (connection closed). */
  removeAll(app: App): void {
    for (const verb of [...this.routes.keys()]) this.remove(verb, app);
  }

  /** Next application for a method, round robin; null when none is routed for it. */
  pick(method: string): App | null {
    const key = method.toLowerCase();
    const apps = this.routes.get(key);
    if (!apps || apps.length === 0) return null;
    const cursor = (this.cursors.get(key) ?? 0) % apps.length;
    this.cursors.set(key, (cursor + 1) % apps.length);
    return apps[cursor]!;
  }

  /** Every application routed for a verb (CDR fan-out). */
  subscribers(verb: string): readonly App[] {
    return this.routes.get(verb.toLowerCase()) ?? [];
  }

  has(method: string): boolean {
    return (this.routes.get(method.toLowerCase())?.length ?? 0) > 0;
  }
}
