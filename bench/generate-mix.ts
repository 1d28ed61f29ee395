/**
 * Deterministic synthetic Windows events for benchmarks: Sysmon records in the WHIDS `{"Event": ...}` form and the
 * flat NXLog form, with DNS answers that later connections of the same process and host use.
 */

/** Share of each Sysmon event ID in a generated mix (weights need not sum to 1). */
export type Mix = Record<number, number>;

/** The enrichment benchmark's mix: 30% connections, 20% DNS answers, the rest process and file activity. */
export const ENRICHMENT_MIX: Mix = { 3: 0.3, 22: 0.2, 1: 0.2, 11: 0.15, 7: 0.15 };

/** A detection mix close to a real Sysmon host: image loads and registry dominate. */
export const DETECTION_MIX: Mix = { 1: 0.12, 3: 0.15, 22: 0.1, 7: 0.25, 11: 0.13, 13: 0.15, 12: 0.05, 10: 0.05 };

const IMAGES = [
  'C:\\Windows\\System32\\WindowsPowerShell\\v1.0\\powershell.exe',
  'C:\\Program Files\\Microsoft Office\\root\\Office16\\WINWORD.EXE',
  'C:\\Windows\\System32\\svchost.exe',
  'C:\\Program Files (x86)\\Microsoft\\Edge\\Application\\msedge.exe',
  'C:\\Windows\\System32\\rundll32.exe',
  'C:\\Windows\\explorer.exe',
  'C:\\Users\\alice\\AppData\\Local\\Temp\\setup.exe',
];
const DOMAINS = [
  'github.com',
  'raw.githubusercontent.com',
  'login.microsoftonline.com',
  'example.org',
  'cdn.example.net',
];

/** A small, fast, seedable PRNG (mulberry32), so every run generates the same events. */
export function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function pick<T>(random: () => number, items: readonly T[]): T {
  return items[Math.floor(random() * items.length)] as T;
}

function utc(ms: number): string {
  return new Date(ms).toISOString().replace('T', ' ').slice(0, 23);
}

/** Generates `count` records (serialised JSON) starting at `index`; the same arguments give the same bytes. */
export function generateRecords(count: number, mix: Mix, seed = 1, index = 0): Uint8Array[] {
  const random = prng(seed * 1_000_003 + index);
  const ids = Object.keys(mix).map(Number);
  const total = ids.reduce((sum, id) => sum + (mix[id] ?? 0), 0);
  const base = Date.UTC(2026, 10, 1) + index * 50;
  const records: Uint8Array[] = [];
  const encoder = new TextEncoder();
  for (let i = 0; i < count; i++) {
    let roll = random() * total;
    let eventId = ids[0] as number;
    for (const id of ids) {
      roll -= mix[id] ?? 0;
      if (roll <= 0) {
        eventId = id;
        break;
      }
    }
    const hostIndex = Math.floor(random() * 50);
    const host = `WKS-${hostIndex.toString().padStart(3, '0')}`;
    const processIndex = Math.floor(random() * 8);
    const guid = `{39e4a257-1e6c-5f91-${hostIndex.toString(16).padStart(4, '0')}-00000000070${processIndex}}`;
    const image = pick(random, IMAGES);
    const ipIndex = Math.floor(random() * 40);
    const ip = `151.101.${hostIndex}.${ipIndex}`;
    const time = base + i * 50;
    const data: Record<string, string> = {
      RuleName: '-',
      UtcTime: utc(time),
      ProcessGuid: guid,
      ProcessId: String(1000 + processIndex),
      Image: image,
    };
    if (eventId === 3) {
      Object.assign(data, {
        User: `${host}\\alice`,
        Protocol: 'tcp',
        Initiated: 'true',
        SourceIsIpv6: 'false',
        SourceIp: '10.0.0.5',
        SourceHostname: '-',
        SourcePort: String(49152 + (i % 10000)),
        SourcePortName: '-',
        DestinationIsIpv6: 'false',
        DestinationIp: ip,
        DestinationHostname: '-',
        DestinationPort: '443',
        DestinationPortName: 'https',
      });
    } else if (eventId === 22) {
      const domain = `${ipIndex}.${pick(random, DOMAINS)}`;
      Object.assign(data, {
        QueryName: domain,
        QueryStatus: '0',
        QueryResults: `type:  5 edge-${ipIndex}.fastly.net;::ffff:${ip};`,
        User: `${host}\\alice`,
      });
    } else if (eventId === 1) {
      Object.assign(data, {
        FileVersion: '10.0.19041.1',
        Description: 'Windows PowerShell',
        Product: 'Microsoft Windows Operating System',
        Company: 'Microsoft Corporation',
        OriginalFileName: 'PowerShell.EXE',
        CommandLine: `"${image}" -NoProfile -Command Get-Item C:\\Users\\alice\\file${i % 97}.txt`,
        CurrentDirectory: 'C:\\Users\\alice\\',
        User: `${host}\\alice`,
        LogonGuid: '{39e4a257-1e6c-5f91-0000-0000000000e7}',
        LogonId: '0x3e7',
        TerminalSessionId: '1',
        IntegrityLevel: 'Medium',
        Hashes: 'SHA256=9F914D42706FE215501044ACD85A32D58AAEF1419D404FDDFA5D3B48F66CCD9F',
        ParentProcessGuid: '{39e4a257-1e6c-5f91-0000-000000000600}',
        ParentProcessId: '900',
        ParentImage: 'C:\\Windows\\explorer.exe',
        ParentCommandLine: 'C:\\Windows\\explorer.exe',
        ParentUser: `${host}\\alice`,
      });
    } else if (eventId === 7) {
      Object.assign(data, {
        ImageLoaded: `C:\\Windows\\System32\\lib${i % 300}.dll`,
        FileVersion: '10.0.19041.1',
        Description: 'A library',
        Product: 'Microsoft Windows Operating System',
        Company: 'Microsoft Corporation',
        OriginalFileName: `lib${i % 300}.dll`,
        Hashes: 'SHA256=1B48A4F8D20026E6C56E3AB4CC4788FA6425C8A75F8D91C2869FA533DE6B209E',
        Signed: 'true',
        Signature: 'Microsoft Windows',
        SignatureStatus: 'Valid',
        User: `${host}\\alice`,
      });
    } else if (eventId === 11) {
      Object.assign(data, {
        TargetFilename: `C:\\Users\\alice\\AppData\\Local\\Temp\\f${i % 1000}.tmp`,
        CreationUtcTime: utc(time),
        User: `${host}\\alice`,
      });
    } else if (eventId === 12 || eventId === 13) {
      Object.assign(data, {
        EventType: eventId === 13 ? 'SetValue' : 'CreateKey',
        TargetObject: `HKU\\S-1-5-21-1\\Software\\Vendor\\App${i % 50}\\Setting`,
        ...(eventId === 13 ? { Details: 'DWORD (0x00000001)' } : {}),
        User: `${host}\\alice`,
      });
    } else if (eventId === 10) {
      Object.assign(data, {
        SourceProcessGUID: guid,
        SourceProcessId: data.ProcessId as string,
        SourceThreadId: '4242',
        SourceImage: image,
        TargetProcessGUID: '{39e4a257-1e6c-5f91-0000-000000000500}',
        TargetProcessId: '700',
        TargetImage: 'C:\\Windows\\System32\\lsass.exe',
        GrantedAccess: '0x1000',
        CallTrace: 'C:\\Windows\\SYSTEM32\\ntdll.dll+9d1e4',
        SourceUser: `${host}\\alice`,
        TargetUser: 'NT AUTHORITY\\SYSTEM',
      });
    }
    const record =
      i % 2 === 0
        ? {
            Event: {
              System: {
                Provider: { Name: 'Microsoft-Windows-Sysmon' },
                EventID: eventId,
                Channel: 'Microsoft-Windows-Sysmon/Operational',
                Computer: host,
                EventRecordID: index + i,
                TimeCreated: { SystemTime: new Date(time + 3).toISOString() },
              },
              EventData: data,
            },
          }
        : {
            EventID: eventId,
            Channel: 'Microsoft-Windows-Sysmon/Operational',
            SourceName: 'Microsoft-Windows-Sysmon',
            Hostname: host,
            RecordNumber: index + i,
            '@timestamp': new Date(time + 3).toISOString(),
            ...data,
          };
    records.push(encoder.encode(JSON.stringify(record)));
  }
  return records;
}
