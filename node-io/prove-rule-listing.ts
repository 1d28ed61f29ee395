/**
 * `node --import tsx node-io/prove-rule-listing.ts <bundle>/rules`: the last afterBundling step of an enrich
 * function (infra/constructs/rule-bundle.ts). Lists the bundle's rules folder as the cold start would, checks that
 * parsed-rules.json names exactly its rule files, and writes listing-proof.json (node-io/rule-cache.ts
 * proveBundledListing); exits 1 with the reason when they differ, which stops synth.
 */
import { proveBundledListing } from './rule-cache.js';

const folder = process.argv[2];
if (folder === undefined) {
  console.error('usage: prove-rule-listing.ts <bundle rules folder>');
  process.exit(2);
}
const proved = await proveBundledListing(folder);
if (!proved.ok) {
  console.error(`rule bundle ${folder}: ${proved.error}; the cold start would parse the YAML instead`);
  process.exit(1);
}
