/**
 * Test helper: the pair of rules the IOC container tests load, one per format, both matching a Sysmon 3 whose
 * (enriched) DestinationHostname is in the `blacklist` container: Sigma through `|expand %blacklist%`, Gene through
 * `extract(...) in blacklist`.
 */

export const BLACKLIST_SIGMA_ID = '5b0a7f6c-3d2e-4f1a-9b8c-7d6e5f4a3b21';

/** The Sigma rule (YAML text): the name or any subdomain of it. */
export const BLACKLIST_SIGMA = `title: Connection to a blacklisted domain
id: ${BLACKLIST_SIGMA_ID}
logsource: {product: windows, category: network_connection}
detection:
  selection:
    DestinationHostname|expand: ['%blacklist%', '*.%blacklist%']
  condition: selection
level: high
`;

/** The Gene rule (one object of a .gen file): the last two labels of the name, looked up in the container. */
export const BLACKLIST_GENE_RULE = {
  Name: 'BlacklistedDestination',
  Meta: { Events: { 'Microsoft-Windows-Sysmon/Operational': [3] }, Criticality: 8 },
  Matches: ["$dom: extract('(?P<dom>[^.]+\\.[^.]+$)', DestinationHostname) in blacklist"],
  Condition: '$dom',
};

/** The Gene rule as a .gen file's text. */
export const BLACKLIST_GENE = JSON.stringify(BLACKLIST_GENE_RULE);
