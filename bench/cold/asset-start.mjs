// Run by bench/cold/asset-ab.ts in a fresh process, with the function's NODE_OPTIONS: the cold start of a function
// bundle as synth wrote it (cdk.out/asset.<hash>/index.mjs, its source map beside it), up to the end of a first
// invocation with no records, which makes the service (config, rules, clients) and returns. No request is sent when
// the environment names no IOC containers. Prints one JSON line, prefixed so the function's own logs can be told
// apart; times since process start.
const dir = process.argv[2];
const cpu = () => {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1000;
};
// The composition root's rule set ready mark (lambda/enrich/dependencies.ts RULES_READY_MARK) and the process CPU
// then, read as the mark is set (an asset older than the mark has none: NaN).
let rulesReadyCpu = Number.NaN;
const mark = performance.mark.bind(performance);
performance.mark = (name, options) => {
  if (name === 'hookstream:enrich-rules-ready') rulesReadyCpu = cpu();
  return mark(name, options);
};
const before = performance.now();
const { handler } = await import(`${dir}/index.mjs`);
const imported = performance.now();
const importedCpu = cpu();
const context = {
  functionName: 'bench',
  functionVersion: '$LATEST',
  invokedFunctionArn: 'arn:aws:lambda:us-east-1:000000000000:function:bench',
  memoryLimitInMB: '1024',
  awsRequestId: 'bench',
  getRemainingTimeInMillis: () => 60_000,
};
await handler({ Records: [] }, context);
const ready = performance.now();
const rulesReady = performance.getEntriesByName('hookstream:enrich-rules-ready')[0]?.startTime ?? Number.NaN;
console.log(
  `BENCH ${JSON.stringify({ beforeImportMs: before, importMs: imported - before, importedCpuMs: importedCpu, rulesReadyMs: rulesReady, rulesReadyCpuMs: rulesReadyCpu, readyMs: ready, readyCpuMs: cpu() })}`,
);
