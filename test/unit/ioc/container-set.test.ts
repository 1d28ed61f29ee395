import { ContainerSet } from '../../../src/ioc/container-set.js';

describe('ContainerSet', () => {
  it('answers membership case-insensitively and keeps the values as loaded', () => {
    const set = new ContainerSet([{ name: 'bl', values: ['Evil.COM'] }]);
    expect(set.contains('bl', 'evil.com')).toBe(true);
    expect(set.contains('bl', 'EVIL.com')).toBe(true);
    expect(set.contains('bl', 'good.com')).toBe(false);
    expect(set.contains('other', 'evil.com')).toBe(false);
    expect(set.values('bl')).toEqual(['Evil.COM']);
    expect(set.asPlaceholders()).toEqual({ bl: ['Evil.COM'] });
  });

  it('replaces every container at once and moves its version', () => {
    const set = new ContainerSet([{ name: 'a', values: ['1'] }]);
    const before = set.version;
    set.replaceAll([{ name: 'b', values: [] }]);
    expect(set.version).toBe(before + 1);
    expect(set.names()).toEqual(['b']);
    expect(set.has('a')).toBe(false);
    expect(set.has('b')).toBe(true);
  });
});
