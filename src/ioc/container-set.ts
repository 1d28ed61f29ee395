/**
 * IOC containers: named lists of values (domains, IPs, hashes) that rules test membership in. One live set is
 * shared by every compiled rule of a rule set, so replacing its contents (a reload from S3) changes what the rules
 * match without recompiling them. Membership is case-insensitive, as in Gene (values and lookups are lower-cased).
 */
export interface Container {
  name: string;
  /** The values as loaded (trimmed, deduplicated), for Sigma `|expand` placeholders. */
  values: readonly string[];
}

export class ContainerSet {
  private readonly lower = new Map<string, ReadonlySet<string>>();
  private readonly loaded = new Map<string, readonly string[]>();
  /** Bumped on every change; compiled rules that expand containers rebuild their tests when it moves. */
  version = 0;

  constructor(containers: Iterable<Container> = []) {
    for (const c of containers) this.put(c);
  }

  private put(c: Container): void {
    this.loaded.set(c.name, c.values);
    this.lower.set(c.name, new Set(c.values.map((v) => v.toLowerCase())));
  }

  /** Replaces every container at once (containers absent from `containers` are removed). */
  replaceAll(containers: Iterable<Container>): void {
    this.lower.clear();
    this.loaded.clear();
    for (const c of containers) this.put(c);
    this.version++;
  }

  has(name: string): boolean {
    return this.loaded.has(name);
  }

  /** Whether `value` is in the container, compared case-insensitively; false when there is no such container. */
  contains(name: string, value: string): boolean {
    return this.lower.get(name)?.has(value.toLowerCase()) ?? false;
  }

  /** The container's values as loaded, or undefined when there is none of that name. */
  values(name: string): readonly string[] | undefined {
    return this.loaded.get(name);
  }

  /** Container names, sorted. */
  names(): string[] {
    return [...this.loaded.keys()].sort();
  }

  /** name -> values, the shape of Sigma's `placeholders` compile option. */
  asPlaceholders(): Record<string, readonly string[]> {
    return Object.fromEntries(this.loaded);
  }
}
