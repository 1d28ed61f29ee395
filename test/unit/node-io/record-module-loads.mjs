// Preloaded (`node --import`) by yaml-off-hit-path.test.ts: appends every module the process loads to the file
// HOOKSTREAM_TEST_MODULE_LOG names, one line each. ESM imports through a resolve hook (registered from the main
// thread; the hooks run in a thread of their own, where this file is loaded again and registers nothing), CommonJS
// requires through Module._load, since a bundle could reach a package either way.
import { appendFileSync } from 'node:fs';
import Module, { register } from 'node:module';
import { isMainThread } from 'node:worker_threads';

const log = process.env.HOOKSTREAM_TEST_MODULE_LOG;
const record = (line) => {
  if (log) appendFileSync(log, `${line}\n`);
};

if (isMainThread) {
  register(import.meta.url);
  const load = Module._load;
  Module._load = function recordedLoad(request, ...rest) {
    record(`require ${request}`);
    return load.call(this, request, ...rest);
  };
}

export async function resolve(specifier, context, nextResolve) {
  const resolved = await nextResolve(specifier, context);
  record(`import ${resolved.url}`);
  return resolved;
}
