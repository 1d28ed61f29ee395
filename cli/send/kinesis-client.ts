/**
 * The Kinesis client for `hookstream send`: the standard AWS credential chain and region. With --endpoint (an
 * emulator such as kinesalite, or a VPC endpoint) requests go over HTTP/1.1 (NodeHttpHandler: kinesalite speaks no
 * HTTP/2), the region defaults to us-east-1, and when the chain finds no credentials dummy ones are used, which
 * emulators accept and AWS refuses with a clear error.
 */
import { KinesisClient } from '@aws-sdk/client-kinesis';
import { NodeHttpHandler } from '@smithy/node-http-handler';

export interface KinesisClientOptions {
  region?: string;
  endpoint?: string;
}

const DUMMY_CREDENTIALS = { accessKeyId: 'AKIDHOOKSTREAMLOCAL', secretAccessKey: 'hookstream-local' };

export async function createKinesisClient(options: KinesisClientOptions): Promise<KinesisClient> {
  if (options.endpoint === undefined) {
    const client = new KinesisClient(options.region ? { region: options.region } : {});
    try {
      await client.config.region();
    } catch {
      client.destroy();
      throw new Error('no AWS region: pass --region or set AWS_REGION (or a region in your AWS profile)');
    }
    return client;
  }
  try {
    new URL(options.endpoint);
  } catch {
    throw new Error(`--endpoint "${options.endpoint}" is not a URL (e.g. http://127.0.0.1:4567)`);
  }
  const region = options.region ?? 'us-east-1';
  // A client only to reach the default chain (env, profile, SSO, container, instance) without importing it.
  const chain = new KinesisClient({ region }).config.credentials;
  return new KinesisClient({
    region,
    endpoint: options.endpoint,
    requestHandler: new NodeHttpHandler(),
    credentials: async () => {
      try {
        return await chain();
      } catch {
        return DUMMY_CREDENTIALS;
      }
    },
  });
}
