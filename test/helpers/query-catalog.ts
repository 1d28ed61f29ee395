/**
 * Test helper: the QueryCatalog construct alone in a stack, as the main stack wires it, synthesised once; its Glue
 * tables by name and its Athena named queries, as the template declares them.
 */
import { RemovalPolicy, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { QueryCatalog } from '../../infra/constructs/query-catalog.js';

export interface GlueColumn {
  Name: string;
  Type: string;
  Comment?: string;
}
export interface GlueTableInput {
  Name: string;
  Parameters: Record<string, unknown>;
  PartitionKeys: GlueColumn[];
  StorageDescriptor: {
    Columns: GlueColumn[];
    Location: unknown;
    SerdeInfo: { SerializationLibrary: string; Parameters: Record<string, string> };
  };
}
export interface NamedQueryProperties {
  Name: string;
  Description?: string;
  Database: string;
  QueryString: string;
}

export interface SynthesisedCatalog {
  database: string;
  glue: Map<string, GlueTableInput>;
  queries: NamedQueryProperties[];
}

export function synthQueryCatalog(): SynthesisedCatalog {
  const stack = new Stack(undefined, 'QueryStack');
  const catalog = new QueryCatalog(stack, 'Query', {
    output: new s3.Bucket(stack, 'Output'),
    accessLogs: new s3.Bucket(stack, 'AccessLogs'),
    dataStartDate: '2026-01-01',
    scanLimitGb: 10,
    removalPolicy: RemovalPolicy.DESTROY,
  });
  const template = Template.fromStack(stack);
  const glue = new Map(
    Object.values(template.findResources('AWS::Glue::Table')).map((resource) => {
      const input = (resource as { Properties: { TableInput: GlueTableInput } }).Properties.TableInput;
      return [input.Name, input];
    }),
  );
  const queries = Object.values(template.findResources('AWS::Athena::NamedQuery')).map(
    (resource) => (resource as { Properties: NamedQueryProperties }).Properties,
  );
  return { database: catalog.databaseName, glue, queries };
}
