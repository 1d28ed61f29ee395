/**
 * Regenerates src/events/schemas/manifest-fields.ts: the EventData field names, in template order, of every
 * (channel, event ID) pair the SigmaHQ Windows rules route on, for each version of the event.
 *
 * Never run by install, build or CI (it needs the Sigma corpus and a provider manifest snapshot on disk); its
 * output is committed. Usage (see docs/formats.md, "Positional EventData schemas"):
 *
 *   npx tsx scripts/make-schemas.ts <snapshot-dir> [--sigma <dir>] [--source <text>]
 *
 * <snapshot-dir> holds provider manifest dumps, searched recursively, in either of two forms:
 *   - `*.tsv` as in jdu2600/Windows10EtwEvents `manifest/` (provider, event_id, version, `name(Type Field, ...)`);
 *   - `*.xml` as in nasbench/EVTX-ETW-Resources `ETWProvidersManifests/.../WEPExplorer/` (`<Event>` with `<Id>`,
 *     `<Version>` and a `<template>` of `<data name=...>`).
 * When several files describe the same (provider, event, version), the first read in sorted path order wins and
 * a disagreement is printed.
 */

import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { compileRules } from '../src/detection/index.js';

const here = dirname(fileURLToPath(import.meta.url));
const OUT = resolve(here, '../src/events/schemas/manifest-fields.ts');

/** Channels whose events come from providers not named like the channel. Others: the part before `/`. */
const CHANNEL_PROVIDERS: Readonly<Record<string, readonly string[]>> = {
  Security: ['Microsoft-Windows-Security-Auditing', 'Microsoft-Windows-Eventlog'],
  System: [
    'Service Control Manager',
    'Microsoft-Windows-Eventlog',
    'Microsoft-Windows-Kernel-General',
    'Microsoft-Windows-Kernel-Boot',
    'Microsoft-Windows-Kernel-Power',
    'Microsoft-Windows-Kernel-PnP',
    'Microsoft-Windows-WindowsUpdateClient',
    'Microsoft-Windows-Time-Service',
    'Microsoft-Windows-Security-Kerberos',
    'Microsoft-Windows-Security-Netlogon',
    'Microsoft-Windows-Directory-Services-SAM',
    'Microsoft-Windows-TerminalServices-RemoteConnectionManager',
    'Microsoft-Windows-DistributedCOM',
    'Microsoft-Windows-Kernel-EventTracing',
    'Microsoft-Windows-WER-SystemErrorReporting',
  ],
  Application: ['Application Error', 'Application Hang', 'Microsoft-Windows-User Profiles Service', 'MsiInstaller'],
  'PowerShellCore/Operational': ['PowerShellCore', 'Microsoft-Windows-PowerShell'],
  'Microsoft-Windows-Windows Firewall With Advanced Security/Firewall': [
    'Microsoft-Windows-Windows Firewall With Advanced Security',
  ],
  'Microsoft-Windows-AppXDeploymentServer/Operational': ['Microsoft-Windows-AppXDeployment-Server'],
  'Microsoft-Windows-AppxPackaging/Operational': ['Microsoft-Windows-AppxPackagingOM'],
  'Microsoft-Windows-SmbClient/Security': ['Microsoft-Windows-SMBClient'],
  'Microsoft-Windows-DNS Client Events/Operational': ['Microsoft-Windows-DNS-Client'],
  'Microsoft-Windows-LSA/Operational': ['Microsoft-Windows-LSA'],
};

/** Pairs to describe although no rule routes on them (channel -> event IDs). */
const EXTRA_PAIRS: Readonly<Record<string, readonly number[]>> = {};

/** Sysmon and DNS-Client 3008 keep their hand-written tables in src/events/schemas.ts. */
const SKIP_PROVIDERS = new Set(['Microsoft-Windows-Sysmon', 'Microsoft-Windows-DNS-Client']);

/**
 * The TSV dumps drop the spaces of field names (TDH property names); Windows Defender's manifest has them
 * (`Product Name`, `Threat Name`). These are the names of a real 1119 event (regression data of the corpus,
 * evtx_dump of its Data elements, in template order). A Defender event whose names are not all here is left out
 * (listed as undescribed) rather than named wrongly; an XML (WEPExplorer) snapshot keeps the real names.
 */
const SPACED_NAMES: Readonly<Record<string, readonly string[]>> = {
  'Microsoft-Windows-Windows Defender': [
    'Product Name',
    'Product Version',
    'Detection ID',
    'Detection Time',
    'Unused',
    'Unused2',
    'Threat ID',
    'Threat Name',
    'Severity ID',
    'Severity Name',
    'Category ID',
    'Category Name',
    'FWLink',
    'Status Code',
    'Status Description',
    'State',
    'Source ID',
    'Source Name',
    'Process Name',
    'Detection User',
    'Unused3',
    'Path',
    'Origin ID',
    'Origin Name',
    'Execution ID',
    'Execution Name',
    'Type ID',
    'Type Name',
    'Pre Execution Status',
    'Action ID',
    'Action Name',
    'Unused4',
    'Error Code',
    'Error Description',
    'Unused5',
    'Post Clean Status',
    'Additional Actions ID',
    'Additional Actions String',
    'Remediation User',
    'Unused6',
    'Security intelligence Version',
    'Engine Version',
  ],
};

type Templates = Map<string, Map<number, Map<number, string[]>>>; // provider -> event ID -> version -> names

function parseArgs(argv: string[]): { snapshot: string; sigma: string; source: string } {
  let snapshot: string | undefined;
  let sigma = resolve(here, '../../shared/sigma');
  let source: string | undefined;
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] as string;
    if (arg === '--sigma') sigma = resolve(argv[++i] ?? '');
    else if (arg === '--source') source = argv[++i];
    else snapshot = resolve(arg);
  }
  if (snapshot === undefined) {
    console.error('usage: npx tsx scripts/make-schemas.ts <snapshot-dir> [--sigma <dir>] [--source <text>]');
    process.exit(2);
  }
  return { snapshot, sigma, source: source ?? snapshot };
}

function listFiles(dir: string, accept: (name: string) => boolean): string[] {
  const out: string[] = [];
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const full = join(dir, entry.name);
    if (entry.isDirectory()) out.push(...listFiles(full, accept));
    else if (accept(entry.name)) out.push(full);
  }
  return out.sort();
}

/** (channel, event IDs) the compiled corpus indexes rules under. Reads the RuleSet's index (not public API). */
function routedPairs(sigmaRoot: string): Map<string, Set<number>> {
  const roots = ['rules/windows', 'rules-threat-hunting/windows', 'rules-emerging-threats'].map((r) =>
    join(sigmaRoot, r),
  );
  const files = roots.flatMap((root) => listFiles(root, (name) => name.endsWith('.yml')));
  const result = compileRules(files.map((file) => ({ file, text: readFileSync(file, 'utf8') })));
  const index = (result.ruleSet as unknown as { channels?: Map<string, { byId: Map<number, unknown> }> }).channels;
  if (!(index instanceof Map)) throw new Error('RuleSet index not found: scripts/make-schemas.ts needs updating');
  const pairs = new Map<string, Set<number>>();
  for (const [channel, entry] of index) pairs.set(channel, new Set(entry.byId.keys()));
  for (const [channel, ids] of Object.entries(EXTRA_PAIRS)) {
    const set = pairs.get(channel) ?? new Set<number>();
    for (const id of ids) set.add(id);
    pairs.set(channel, set);
  }
  console.error(`${files.length} rule files, ${result.compiled} compiled, ${pairs.size} channels`);
  return pairs;
}

function addTemplate(
  all: Templates,
  provider: string,
  id: number,
  version: number,
  names: string[],
  file: string,
): void {
  let events = all.get(provider);
  if (!events) {
    events = new Map();
    all.set(provider, events);
  }
  let versions = events.get(id);
  if (!versions) {
    versions = new Map();
    events.set(id, versions);
  }
  const known = versions.get(version);
  if (known === undefined) versions.set(version, names);
  else if (known.join() !== names.join()) {
    console.error(`${provider} ${id} v${version}: ${file} differs from an earlier file; kept the earlier`);
  }
}

/** `name(Type Field, Type Field)`: the field list is the last balanced parenthesis group. */
function tsvFields(signature: string): string[] | undefined {
  if (!signature.endsWith(')')) return undefined;
  let depth = 0;
  for (let i = signature.length - 1; i >= 0; i--) {
    const ch = signature[i];
    if (ch === ')') depth++;
    else if (ch === '(' && --depth === 0) {
      const inner = signature.slice(i + 1, -1).trim();
      if (inner === '') return [];
      return inner.split(',').map((field) => {
        const f = field.trim();
        const space = f.indexOf(' ');
        return space === -1 ? f : f.slice(space + 1).trim();
      });
    }
  }
  return undefined;
}

function readTsv(file: string, all: Templates): void {
  const lines = readFileSync(file, 'utf8').split(/\r?\n/);
  for (const line of lines.slice(1)) {
    const cols = line.split('\t');
    const [provider, id, version, signature] = cols;
    if (!provider || !id || !version || !signature) continue;
    let names = tsvFields(signature);
    if (names === undefined || names.length === 0) continue;
    const spaced = SPACED_NAMES[provider];
    if (spaced !== undefined) {
      const bySquashed = new Map(spaced.map((n) => [n.replace(/ /g, ''), n]));
      const real = names.map((n) => bySquashed.get(n));
      if (real.some((n) => n === undefined)) continue;
      names = real as string[];
    }
    addTemplate(all, provider, Number(id), Number(version), names, file);
  }
}

function readWepXml(file: string, all: Templates): void {
  const text = readFileSync(file, 'utf8');
  for (const provider of text.split('<Provider>').slice(1)) {
    const name = /<Name>([^<]*)<\/Name>/.exec(provider)?.[1];
    if (!name) continue;
    for (const event of provider.split('<Event>').slice(1)) {
      const id = /<Id>(\d+)<\/Id>/.exec(event)?.[1];
      const version = /<Version>(\d+)<\/Version>/.exec(event)?.[1];
      if (id === undefined || version === undefined) continue;
      const names = [...event.matchAll(/<data name="([^"]*)"/g)].map((m) => m[1] as string);
      if (names.length > 0) addTemplate(all, name, Number(id), Number(version), names, file);
    }
  }
}

function providersOf(channel: string): readonly string[] {
  return CHANNEL_PROVIDERS[channel] ?? [channel.split('/')[0] as string];
}

function main(): void {
  const args = parseArgs(process.argv.slice(2));
  if (!statSync(args.snapshot).isDirectory()) throw new Error(`${args.snapshot} is not a directory`);
  const templates: Templates = new Map();
  for (const file of listFiles(args.snapshot, (n) => n.endsWith('.tsv') || n.endsWith('.xml'))) {
    if (file.endsWith('.tsv')) readTsv(file, templates);
    else readWepXml(file, templates);
  }
  const pairs = routedPairs(args.sigma);

  const wanted = new Map<string, Set<number>>(); // provider -> event IDs
  const channelProviders = new Map<string, string[]>();
  const missing: string[] = [];
  for (const [channel, ids] of [...pairs].sort(([a], [b]) => a.localeCompare(b))) {
    const providers = providersOf(channel).filter((p) => !SKIP_PROVIDERS.has(p));
    if (providers.length === 0) continue;
    const found = providers.filter((p) => templates.has(p));
    if (found.length > 0) channelProviders.set(channel, found);
    for (const id of [...ids].sort((a, b) => a - b)) {
      const from = found.find((p) => templates.get(p)?.has(id));
      if (from === undefined) {
        missing.push(`${channel} ${id}`);
        continue;
      }
      const set = wanted.get(from) ?? new Set<number>();
      set.add(id);
      wanted.set(from, set);
    }
  }

  const lines: string[] = [
    '// Generated by scripts/make-schemas.ts: do not edit. Re-run it as docs/formats.md says',
    '// ("Positional EventData schemas"). Field names in template order, from the provider manifests of',
    `// ${args.source.replace(/\\/g, '/')}`,
    '',
    '/** Provider -> event ID -> event version -> EventData field names in template order, comma-separated. */',
    'export const MANIFEST_FIELDS: Readonly<Record<string, Readonly<Record<number, Readonly<Record<number, string>>>>>> = {',
  ];
  let pairCount = 0;
  for (const provider of [...wanted.keys()].sort()) {
    lines.push(`  ${JSON.stringify(provider)}: {`);
    for (const id of [...(wanted.get(provider) as Set<number>)].sort((a, b) => a - b)) {
      pairCount++;
      const versions = templates.get(provider)?.get(id) as Map<number, string[]>;
      const body = [...versions.keys()]
        .sort((a, b) => a - b)
        .map((v) => `${v}: ${JSON.stringify((versions.get(v) as string[]).join(','))}`)
        .join(', ');
      lines.push(`    ${id}: { ${body} },`);
    }
    lines.push('  },');
  }
  lines.push('};', '');
  lines.push(
    '/** Channel -> the providers (above) whose events it holds, for events that arrive without a provider. */',
  );
  lines.push('export const CHANNEL_PROVIDERS: Readonly<Record<string, readonly string[]>> = {');
  for (const [channel, providers] of channelProviders) {
    const kept = providers.filter((p) => wanted.has(p));
    if (kept.length > 0) lines.push(`  ${JSON.stringify(channel)}: ${JSON.stringify(kept)},`);
  }
  lines.push('};', '');
  lines.push('/** Routed (channel, event ID) pairs no manifest in the snapshot describes: their values stay DataN. */');
  lines.push(`export const UNDESCRIBED_PAIRS: readonly string[] = ${JSON.stringify(missing)};`, '');
  writeFileSync(OUT, lines.join('\n'));
  // The committed file is Biome-formatted; formatting here keeps a re-run's diff to real changes.
  execFileSync('npx', ['biome', 'format', '--write', OUT], { stdio: 'inherit' });
  console.error(
    `wrote ${relative(process.cwd(), OUT)}: ${pairCount} (provider, event) pairs, ${missing.length} routed pairs undescribed`,
  );
}

main();
