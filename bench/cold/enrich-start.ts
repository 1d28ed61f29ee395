/**
 * Run in a fresh process by bench/rule-load.ts, bundled as CDK bundles the function (bench/child-process.ts): the
 * enrich function's cold start, its module (Powertools, middy, the SDK clients) then its composition root (config,
 * clients, rules from LAMBDA_TASK_ROOT/rules). No request is sent. Prints one JSON line; times since process start.
 */
const beforeImport = performance.now();
await import('../../lambda/enrich/handler.js');
const { createEnrichService } = await import('../../lambda/enrich/dependencies.js');
const imported = performance.now();
await createEnrichService(process.env);
const ready = performance.now();
console.log(
  JSON.stringify({
    beforeImportMs: beforeImport,
    importMs: imported - beforeImport,
    serviceMs: ready - imported,
    readyMs: ready,
  }),
);
