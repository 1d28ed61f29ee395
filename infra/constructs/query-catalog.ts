/**
 * Glue database and tables over the output bucket (partition projection, no crawlers), an Athena workgroup with
 * encrypted results and a scan cutoff, and the named queries of src/query/named-queries.ts.
 */
import { Aws, Duration, type RemovalPolicy, Stack } from 'aws-cdk-lib';
import * as athena from 'aws-cdk-lib/aws-athena';
import * as glue from 'aws-cdk-lib/aws-glue';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { Construct } from 'constructs';
import { athenaTables, NAMED_QUERIES, renderQuery } from '../../src/query/named-queries.js';
import { matchesByName, TABLES, type TableDefinition } from '../../src/query/schema.js';

export interface QueryCatalogProps {
  output: s3.IBucket;
  accessLogs: s3.IBucket;
  /** First dt of the projection, yyyy-MM-dd. */
  dataStartDate: string;
  scanLimitGb: number;
  removalPolicy: RemovalPolicy;
}

/** Hive text input with the OpenX JSON SerDe: reads `.json.gz` by extension, keys matched case-insensitively. */
const JSON_SERDE = 'org.openx.data.jsonserde.JsonSerDe';
const INPUT_FORMAT = 'org.apache.hadoop.mapred.TextInputFormat';
const OUTPUT_FORMAT = 'org.apache.hadoop.hive.ql.io.HiveIgnoreKeyTextOutputFormat';
/**
 * The `lines` tables: one column, the whole line. LazySimpleSerDe splits on U+0001 (its default, set explicitly),
 * which never occurs raw in a line JSON.stringify wrote (it escapes every control character), so `line` is the
 * JSON text as written, keys in their case.
 */
const LINES_SERDE = 'org.apache.hadoop.hive.serde2.lazy.LazySimpleSerDe';

/**
 * SerDe properties of a table. JSON: case-insensitive keys (explicit although it is the default: the lower-case
 * columns depend on it), and `mapping.<column>` for a column whose key is not its name in another case (a key with
 * a space, e.g. Defender's `Product Name` as `product_name`).
 */
export function serdeParameters(table: TableDefinition): Record<string, string> {
  if (table.storage === 'lines') return { 'field.delim': '\u0001', 'serialization.format': '\u0001' };
  const parameters: Record<string, string> = { 'case.insensitive': 'true' };
  for (const column of table.columns) if (!matchesByName(column)) parameters[`mapping.${column.name}`] = column.jsonKey;
  return parameters;
}

/** Glue names allow lower-case letters, digits and underscores. */
export function glueName(text: string): string {
  return text.toLowerCase().replace(/[^a-z0-9_]/g, '_');
}

/** Partition projection table properties for the `dt=yyyy-MM-dd/hour=HH` layout under `location`. */
export function projectionParameters(location: string, dataStartDate: string): Record<string, string> {
  return {
    'projection.enabled': 'true',
    'projection.dt.type': 'date',
    'projection.dt.format': 'yyyy-MM-dd',
    'projection.dt.range': `${dataStartDate},NOW`,
    'projection.dt.interval': '1',
    'projection.dt.interval.unit': 'DAYS',
    'projection.hour.type': 'integer',
    'projection.hour.range': '0,23',
    'projection.hour.digits': '2',
    // Glue substitutes ${dt} / ${hour}; these are literal in the template, not CDK or JS interpolation.
    'storage.location.template': `${location}dt=\${dt}/hour=\${hour}/`,
  };
}

export class QueryCatalog extends Construct {
  readonly databaseName: string;
  readonly workGroup: athena.CfnWorkGroup;
  readonly results: s3.Bucket;
  readonly tables: Record<string, glue.CfnTable> = {};

  constructor(scope: Construct, id: string, props: QueryCatalogProps) {
    super(scope, id);
    const stack = Stack.of(this);
    this.databaseName = glueName(stack.stackName);
    const database = new glue.CfnDatabase(this, 'Database', {
      catalogId: Aws.ACCOUNT_ID,
      databaseInput: { name: this.databaseName, description: 'hookstream events and alerts (JSON lines, gzip)' },
    });

    for (const table of TABLES) {
      const cfn = this.#table(table, props);
      cfn.node.addDependency(database);
      this.tables[table.name] = cfn;
    }

    this.results = new s3.Bucket(this, 'Results', {
      blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
      enforceSSL: true,
      encryption: s3.BucketEncryption.S3_MANAGED,
      objectOwnership: s3.ObjectOwnership.BUCKET_OWNER_ENFORCED,
      removalPolicy: props.removalPolicy,
      serverAccessLogsBucket: props.accessLogs,
      serverAccessLogsPrefix: 'athena-results/',
      lifecycleRules: [{ id: 'expire-query-results', expiration: Duration.days(30) }],
    });

    this.workGroup = new athena.CfnWorkGroup(this, 'WorkGroup', {
      name: this.databaseName,
      description: 'hookstream queries: results encrypted, settings enforced, scan capped',
      state: 'ENABLED',
      recursiveDeleteOption: true,
      workGroupConfiguration: {
        enforceWorkGroupConfiguration: true,
        publishCloudWatchMetricsEnabled: true,
        bytesScannedCutoffPerQuery: props.scanLimitGb * 1024 ** 3,
        engineVersion: { selectedEngineVersion: 'Athena engine version 3' },
        resultConfiguration: {
          outputLocation: this.results.s3UrlForObject('results/'),
          encryptionConfiguration: { encryptionOption: 'SSE_S3' },
          expectedBucketOwner: Aws.ACCOUNT_ID,
        },
      },
    });

    const tables = athenaTables(this.databaseName);
    for (const query of NAMED_QUERIES) {
      const named = new athena.CfnNamedQuery(this, `Query-${query.id}`, {
        name: query.name,
        description: truncate(
          query.parameters.length > 0
            ? `${query.description}. Parameters: ${query.parameters.map((p) => p.name).join(', ')}`
            : query.description,
          1024,
        ),
        database: this.databaseName,
        workGroup: this.workGroup.ref,
        queryString: renderQuery(query, tables),
      });
      named.node.addDependency(database);
    }
  }

  #table(table: TableDefinition, props: QueryCatalogProps): glue.CfnTable {
    const location = props.output.s3UrlForObject(`${table.area}/`);
    return new glue.CfnTable(this, `Table-${table.name}`, {
      catalogId: Aws.ACCOUNT_ID,
      databaseName: this.databaseName,
      tableInput: {
        name: table.name,
        description: table.description,
        tableType: 'EXTERNAL_TABLE',
        parameters: {
          classification: table.storage === 'lines' ? 'text' : 'json',
          compressionType: 'gzip',
          ...projectionParameters(location, props.dataStartDate),
        },
        partitionKeys: table.partitionKeys.map((key) => ({ name: key.name, type: key.type, comment: key.comment })),
        storageDescriptor: {
          location,
          inputFormat: INPUT_FORMAT,
          outputFormat: OUTPUT_FORMAT,
          columns: table.columns.map((column) => ({ name: column.name, type: column.type, comment: column.comment })),
          serdeInfo: {
            serializationLibrary: table.storage === 'lines' ? LINES_SERDE : JSON_SERDE,
            parameters: serdeParameters(table),
          },
        },
      },
    });
  }
}

function truncate(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, max - 1)}…`;
}
