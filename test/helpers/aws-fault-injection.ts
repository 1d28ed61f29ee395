/**
 * Fault injection for adapter tests: a client whose calls go to the emulator unless a test scripts a fault.
 * aws-sdk-client-mock only stands in for the faults; everything else still runs against the real emulator.
 */

import {
  BatchGetItemCommand,
  DynamoDBClient,
  GetItemCommand,
  ProvisionedThroughputExceededException,
  PutItemCommand,
  QueryCommand,
  UpdateItemCommand,
} from '@aws-sdk/client-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';

/** A second DynamoDB client sharing `real`'s config, its commands forwarded to `real` until a test overrides one. */
export function faultyDynamoDbClient(real: DynamoDBClient) {
  const client = new DynamoDBClient({
    region: 'us-east-1',
    endpoint: 'http://127.0.0.1:1',
    credentials: { accessKeyId: 'unused', secretAccessKey: 'unused' },
  });
  const stub = mockClient(client);
  const forward = {
    batchGet: (input: ConstructorParameters<typeof BatchGetItemCommand>[0]) =>
      real.send(new BatchGetItemCommand(input)),
    put: (input: ConstructorParameters<typeof PutItemCommand>[0]) => real.send(new PutItemCommand(input)),
    get: (input: ConstructorParameters<typeof GetItemCommand>[0]) => real.send(new GetItemCommand(input)),
    update: (input: ConstructorParameters<typeof UpdateItemCommand>[0]) => real.send(new UpdateItemCommand(input)),
    query: (input: ConstructorParameters<typeof QueryCommand>[0]) => real.send(new QueryCommand(input)),
  };
  stub.on(BatchGetItemCommand).callsFake(forward.batchGet);
  stub.on(PutItemCommand).callsFake(forward.put);
  stub.on(GetItemCommand).callsFake(forward.get);
  stub.on(UpdateItemCommand).callsFake(forward.update);
  stub.on(QueryCommand).callsFake(forward.query);
  return { client, stub, forward };
}

export function throughputExceeded(): ProvisionedThroughputExceededException {
  return new ProvisionedThroughputExceededException({
    message: 'injected: the level of configured provisioned throughput for the table was exceeded',
    $metadata: { httpStatusCode: 400 },
  });
}

/** Records the delays the adapters ask for instead of sleeping. */
export function recordingSleep(): { sleep: (ms: number) => Promise<void>; delays: number[] } {
  const delays: number[] = [];
  return {
    delays,
    sleep: async (ms: number) => {
      delays.push(ms);
    },
  };
}
