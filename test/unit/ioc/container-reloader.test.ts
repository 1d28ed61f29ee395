import {
  ContainerReloader,
  type ContainerStore,
  DuplicateContainerError,
} from '../../../src/ioc/container-reloader.js';
import { ContainerSet } from '../../../src/ioc/container-set.js';

/** A store of files in memory that counts its calls. */
class MemoryStore implements ContainerStore {
  files = new Map<string, { etag: string; text: string }>();
  lists = 0;
  reads: string[] = [];
  fail: Error | undefined;
  put(key: string, text: string, etag: string): void {
    this.files.set(key, { etag, text });
  }
  async list() {
    this.lists++;
    if (this.fail) throw this.fail;
    return [...this.files].map(([key, { etag }]) => ({ key, etag }));
  }
  async read(key: string) {
    this.reads.push(key);
    const f = this.files.get(key);
    if (!f) throw new Error(`no ${key}`);
    return f.text;
  }
}

function setup(intervalMs = 1000) {
  const store = new MemoryStore();
  const set = new ContainerSet();
  let now = 0;
  const reloader = new ContainerReloader(store, set, { intervalMs, now: () => now });
  return { store, set, reloader, advance: (ms: number) => (now += ms) };
}

describe('ContainerReloader', () => {
  it('loads on the first refresh, then lists at most once per interval', async () => {
    const { store, set, reloader, advance } = setup();
    store.put('iocs/blacklist.txt', 'evil.com\n', 'e1');
    expect(await reloader.refresh()).toEqual({ checked: true, reloaded: true, containers: 1 });
    expect(set.contains('blacklist', 'evil.com')).toBe(true);
    advance(999);
    expect(await reloader.refresh()).toEqual({ checked: false, reloaded: false, containers: 1 });
    expect(store.lists).toBe(1);
    advance(1);
    expect(await reloader.refresh()).toEqual({ checked: true, reloaded: false, containers: 1 });
    expect(store.lists).toBe(2);
    expect(store.reads).toEqual(['iocs/blacklist.txt']);
  });

  it('reads only the files whose ETag changed, and drops removed ones', async () => {
    const { store, set, reloader, advance } = setup();
    store.put('p/a.txt', 'x\n', 'a1');
    store.put('p/b.txt', 'y\n', 'b1');
    await reloader.refresh();
    store.put('p/b.txt', 'z\n', 'b2');
    advance(1000);
    expect((await reloader.refresh()).reloaded).toBe(true);
    expect(store.reads).toEqual(['p/a.txt', 'p/b.txt', 'p/b.txt']);
    expect([set.contains('b', 'y'), set.contains('b', 'z'), set.contains('a', 'x')]).toEqual([false, true, true]);
    store.files.delete('p/a.txt');
    advance(1000);
    expect((await reloader.refresh()).containers).toBe(1);
    expect(set.has('a')).toBe(false);
  });

  it('throws a store failure and keeps what is loaded', async () => {
    const { store, set, reloader, advance } = setup();
    store.put('p/a.txt', 'x\n', 'a1');
    await reloader.refresh();
    store.fail = new Error('throttled');
    advance(1000);
    await expect(reloader.refresh()).rejects.toThrow('throttled');
    expect(set.contains('a', 'x')).toBe(true);
  });

  it('refuses two files that name the same container', async () => {
    const { store, reloader } = setup();
    store.put('p/a.txt', 'x\n', 'a1');
    store.put('p/a.csv', 'y\n', 'a2');
    await expect(reloader.refresh()).rejects.toBeInstanceOf(DuplicateContainerError);
  });
});
