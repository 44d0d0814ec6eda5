import { describe, expect, it } from 'vitest';
import { ApplicationRouter } from '../../../src/sip/drachtio/application-router.js';

describe('ApplicationRouter', () => {
  it('matches the method case-insensitively', () => {
    const r = new ApplicationRouter<string>();
    r.add('invite', 'a');
    expect(r.pick('INVITE')).toBe('a');
    expect(r.pick('Invite')).toBe('a');
    expect(r.pick('OPTIONS')).toBeNull();
    expect(r.has('invite')).toBe(true);
  });

  it('rotates round robin among applications of the same route', () => {
    const r = new ApplicationRouter<string>();
    r.add('invite', 'a');
    r.add('invite', 'b');
    r.add('invite', 'c');
    r.add('invite', 'a');
    expect([1, 2, 3, 4, 5, 6].map(() => r.pick('INVITE'))).toEqual(['a', 'b', 'c', 'a', 'b', 'c']);
  });

  it('keeps rotating fairly when an application goes away', () => {
    const r = new ApplicationRouter<string>();
    for (const app of ['a', 'b', 'c']) r.add('invite', app);
    expect(r.pick('invite')).toBe('a');
    r.remove('invite', 'a');
    expect(r.pick('invite')).toBe('b');
    expect(r.pick('invite')).toBe('c');
    r.removeAll('c');
    expect(r.pick('invite')).toBe('b');
    r.remove('invite', 'b');
    expect(r.pick('invite')).toBeNull();
    expect(r.has('invite')).toBe(false);
  });

  it('removeAll drops every verb of one app only', () => {
    const r = new ApplicationRouter<string>();
    r.add('invite', 'a');
    r.add('options', 'a');
    r.add('options', 'b');
    r.add('cdr:start', 'a');
    r.removeAll('a');
    expect(r.pick('invite')).toBeNull();
    expect(r.pick('options')).toBe('b');
    expect(r.subscribers('cdr:start')).toEqual([]);
  });

  it('lists subscribers for fan-out', () => {
    const r = new ApplicationRouter<string>();
    r.add('cdr:stop', 'a');
    r.add('cdr:stop', 'b');
    expect(r.subscribers('cdr:stop')).toEqual(['a', 'b']);
  });
});
