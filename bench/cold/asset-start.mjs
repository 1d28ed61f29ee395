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
console.log(
  `BENCH ${JSON.stringify({ beforeImportMs: before, importMs: imported - before, importedCpuMs: importedCpu, readyMs: ready, readyCpuMs: cpu() })}`,
);
