// Preloaded into a benchmarked child (node --import): at exit, writes its resource usage as JSON to the file named
// by HOOKSTREAM_BENCH_USAGE. Peak RSS and CPU time of the whole process, including what runs off the main thread.
import { writeFileSync } from 'node:fs';

const file = process.env.HOOKSTREAM_BENCH_USAGE;
if (file) {
  process.on('exit', () => {
    const usage = process.resourceUsage();
    writeFileSync(
      file,
      JSON.stringify({
        maxRssKb: usage.maxRSS,
        userMs: usage.userCPUTime / 1000,
        systemMs: usage.systemCPUTime / 1000,
        sinceStartMs: performance.now(),
      }),
    );
  });
}
