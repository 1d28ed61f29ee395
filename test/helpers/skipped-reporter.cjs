/**
 * A Jest reporter that lists every skipped test after the run, with its suite titles, so that a test which did
 * not run here (its title says why: see skip.ts) is seen, not only counted. The default reporter prints nothing of
 * a file whose tests were all skipped. Up to 5 titles per file, then how many more.
 */
class SkippedReporter {
  onRunComplete(_contexts, results) {
    const lines = [];
    for (const file of results.testResults) {
      const skipped = file.testResults.filter((test) => test.status === 'pending' || test.status === 'skipped');
      if (skipped.length === 0) continue;
      lines.push(`  ${file.testFilePath.replace(`${process.cwd()}/`, '')}: ${skipped.length} skipped`);
      for (const test of skipped.slice(0, 5)) lines.push(`    ${[...test.ancestorTitles, test.title].join(' > ')}`);
      if (skipped.length > 5) lines.push(`    ... and ${skipped.length - 5} more`);
    }
    if (lines.length > 0) process.stderr.write(`\nSkipped tests (they did not run here):\n${lines.join('\n')}\n`);
  }
}

module.exports = SkippedReporter;
