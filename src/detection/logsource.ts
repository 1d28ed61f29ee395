/**
 * Windows logsources (Sigma taxonomy appendix v2.1.0) -> where their events are logged: channels and event
 * IDs, or an ETW provider for the two categories the taxonomy defines only by provider.
 */
import { SYSMON_CHANNEL } from '../events/canonical-event.js';

export interface Route {
  /** Channels to index under; empty when routed by provider. */
  channels: readonly string[];
  /** Event IDs; undefined = any event of those channels (rules are then indexed by their own EventID). */
  eventIds?: readonly number[];
  /** ETW provider name, for categories without a channel. */
  provider?: string;
  /** Rule field -> event field for events of this route (e.g. Security 4688 names). */
  fieldMap?: Readonly<Record<string, string>>;
}

const POWERSHELL = ['Microsoft-Windows-PowerShell/Operational', 'PowerShellCore/Operational'];
const sysmon = (...eventIds: number[]): Route[] => [{ channels: [SYSMON_CHANNEL], eventIds }];

/** Security 4688 field names for process_creation rules (what differs from Sysmon event 1). */
export const SECURITY_4688_FIELDS: Readonly<Record<string, string>> = {
  Image: 'NewProcessName',
  ParentImage: 'ParentProcessName',
  ProcessId: 'NewProcessId',
  ParentProcessId: 'ProcessId',
  LogonId: 'SubjectLogonId',
};

export const CATEGORIES: Readonly<Record<string, readonly Route[]>> = {
  process_creation: [...sysmon(1), { channels: ['Security'], eventIds: [4688], fieldMap: SECURITY_4688_FIELDS }],
  file_change: sysmon(2),
  network_connection: sysmon(3),
  sysmon_status: sysmon(4, 16),
  process_termination: sysmon(5),
  driver_load: sysmon(6),
  image_load: sysmon(7),
  create_remote_thread: sysmon(8),
  raw_access_thread: sysmon(9),
  process_access: sysmon(10),
  file_event: sysmon(11),
  registry_event: sysmon(12, 13, 14),
  registry_add: sysmon(12),
  registry_delete: sysmon(12),
  registry_set: sysmon(13),
  registry_rename: sysmon(14),
  create_stream_hash: sysmon(15),
  pipe_created: sysmon(17, 18),
  wmi_event: sysmon(19, 20, 21),
  dns_query: sysmon(22),
  // The taxonomy maps file_delete to 23; 26 (FileDeleteDetected) is the same deletion without the archive copy.
  file_delete: sysmon(23, 26),
  clipboard_capture: sysmon(24),
  process_tampering: sysmon(25),
  file_delete_detected: sysmon(26),
  file_block_executable: sysmon(27),
  file_block_shredding: sysmon(28),
  file_executable_detected: sysmon(29),
  sysmon_error: sysmon(255),
  file_access: [{ channels: [], provider: 'Microsoft-Windows-Kernel-File' }],
  file_rename: [{ channels: [], provider: 'Microsoft-Windows-Kernel-File' }],
  ps_classic_start: [{ channels: ['Windows PowerShell'], eventIds: [400] }],
  ps_classic_provider_start: [{ channels: ['Windows PowerShell'], eventIds: [600] }],
  ps_classic_script: [{ channels: ['Windows PowerShell'], eventIds: [800] }],
  ps_module: [{ channels: POWERSHELL, eventIds: [4103] }],
  ps_script: [{ channels: POWERSHELL, eventIds: [4104] }],
};

export const SERVICES: Readonly<Record<string, readonly string[]>> = {
  application: ['Application'],
  'application-experience': [
    'Microsoft-Windows-Application-Experience/Program-Telemetry',
    'Microsoft-Windows-Application-Experience/Program-Compatibility-Assistant',
  ],
  applocker: [
    'Microsoft-Windows-AppLocker/MSI and Script',
    'Microsoft-Windows-AppLocker/EXE and DLL',
    'Microsoft-Windows-AppLocker/Packaged app-Deployment',
    'Microsoft-Windows-AppLocker/Packaged app-Execution',
  ],
  'appmodel-runtime': ['Microsoft-Windows-AppModel-Runtime/Admin'],
  'appxdeployment-server': ['Microsoft-Windows-AppXDeploymentServer/Operational'],
  'appxpackaging-om': ['Microsoft-Windows-AppxPackaging/Operational'],
  bitlocker: ['Microsoft-Windows-BitLocker/BitLocker Management'],
  'bits-client': ['Microsoft-Windows-Bits-Client/Operational'],
  capi2: ['Microsoft-Windows-CAPI2/Operational'],
  'certificateservicesclient-lifecycle-system': [
    'Microsoft-Windows-CertificateServicesClient-Lifecycle-System/Operational',
  ],
  'codeintegrity-operational': ['Microsoft-Windows-CodeIntegrity/Operational'],
  dhcp: ['Microsoft-Windows-DHCP-Server/Operational'],
  'diagnosis-scripted': ['Microsoft-Windows-Diagnosis-Scripted/Operational'],
  // The taxonomy writes the channel's display name; Windows logs it as Microsoft-Windows-DNS-Client/Operational.
  'dns-client': ['Microsoft-Windows-DNS-Client/Operational', 'Microsoft-Windows-DNS Client Events/Operational'],
  'dns-server': ['DNS Server'],
  'dns-server-analytic': ['Microsoft-Windows-DNS-Server/Analytical'],
  'dns-server-audit': ['Microsoft-Windows-DNS-Server/Audit'],
  'driver-framework': ['Microsoft-Windows-DriverFrameworks-UserMode/Operational'],
  'firewall-as': ['Microsoft-Windows-Windows Firewall With Advanced Security/Firewall'],
  'hyper-v-worker': ['Microsoft-Windows-Hyper-V-Worker'],
  'iis-configuration': ['Microsoft-IIS-Configuration/Operational'],
  'kernel-event-tracing': ['Microsoft-Windows-Kernel-EventTracing'],
  'kernel-shimengine': [
    'Microsoft-Windows-Kernel-ShimEngine/Operational',
    'Microsoft-Windows-Kernel-ShimEngine/Diagnostic',
  ],
  ldap: ['Microsoft-Windows-LDAP-Client/Debug'],
  'lsa-server': ['Microsoft-Windows-LSA/Operational'],
  'msexchange-management': ['MSExchange Management'],
  ntfs: ['Microsoft-Windows-Ntfs/Operational'],
  ntlm: ['Microsoft-Windows-NTLM/Operational'],
  openssh: ['OpenSSH/Operational'],
  powershell: ['Microsoft-Windows-PowerShell/Operational'],
  'powershell-classic': ['Windows PowerShell'],
  'printservice-admin': ['Microsoft-Windows-PrintService/Admin'],
  'printservice-operational': ['Microsoft-Windows-PrintService/Operational'],
  security: ['Security'],
  'security-mitigations': [
    'Microsoft-Windows-Security-Mitigations/Kernel Mode',
    'Microsoft-Windows-Security-Mitigations/User Mode',
  ],
  sense: ['Microsoft-Windows-SENSE/Operational'],
  'servicebus-client': ['Microsoft-ServiceBus-Client/Operational', 'Microsoft-ServiceBus-Client/Admin'],
  'shell-core': ['Microsoft-Windows-Shell-Core/Operational'],
  'smbclient-security': ['Microsoft-Windows-SmbClient/Security'],
  sysmon: [SYSMON_CHANNEL],
  system: ['System'],
  taskscheduler: ['Microsoft-Windows-TaskScheduler/Operational'],
  'terminalservices-localsessionmanager': ['Microsoft-Windows-TerminalServices-LocalSessionManager/Operational'],
  vhdmp: ['Microsoft-Windows-VHDMP/Operational'],
  windefend: ['Microsoft-Windows-Windows Defender/Operational'],
  wmi: ['Microsoft-Windows-WMI-Activity/Operational'],
};

export interface Logsource {
  product?: string;
  category?: string;
  service?: string;
}

/**
 * Routes of a Windows logsource. Category and service together: the category's routes restricted to the
 * service's channels. Product only: every event (an empty channel list with no provider).
 */
export function resolveRoutes(
  ls: Logsource,
  extraServices: Readonly<Record<string, readonly string[]>>,
): { ok: true; value: Route[] } | { ok: false; error: string } {
  let routes: Route[] | undefined;
  if (ls.category !== undefined) {
    const c = CATEGORIES[ls.category];
    if (!c) return { ok: false, error: `unknown logsource category: ${ls.category}` };
    routes = [...c];
  }
  if (ls.service !== undefined) {
    const channels = SERVICES[ls.service] ?? extraServices[ls.service];
    if (!channels) return { ok: false, error: `unknown logsource service: ${ls.service}` };
    if (routes) {
      const narrowed = routes
        .map((r) => ({ ...r, channels: r.channels.filter((ch) => channels.includes(ch)) }))
        .filter((r) => r.channels.length > 0);
      routes = narrowed.length > 0 ? narrowed : channels.map((ch) => ({ channels: [ch] }));
    } else {
      routes = [{ channels }];
    }
  }
  return { ok: true, value: routes ?? [{ channels: [] }] };
}
