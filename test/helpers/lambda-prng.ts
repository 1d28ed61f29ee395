/**
 * A small seeded PRNG (mulberry32) for the Lambda race and fault tests: the same seed replays the same schedule.
 */

/** Uniform floats in [0, 1) from a 32-bit seed. */
export function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}

/** An integer in [min, max], both included. */
export function randomInt(random: () => number, min: number, max: number): number {
  return min + Math.floor(random() * (max - min + 1));
}

/** The seed from `variable` when set (to replay a failing run), else a fresh one. */
export function seedFrom(variable: string, env: NodeJS.ProcessEnv = process.env): number {
  const raw = env[variable]?.trim();
  if (raw !== undefined && raw !== '') {
    const seed = Number(raw);
    if (!Number.isInteger(seed)) throw new Error(`${variable}="${raw}" is not an integer seed`);
    return seed >>> 0;
  }
  return Math.floor(Math.random() * 4_294_967_296) >>> 0;
}
