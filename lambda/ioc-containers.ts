/**
 * The enrich functions' IOC containers: an S3 prefix (CONTAINERS_BUCKET/CONTAINERS_PREFIX, set by infra with a read
 * grant on that prefix only), loaded once at cold start, before the rules compile, then refreshed before each batch
 * at most once per CONTAINERS_RELOAD_SECONDS: a changed file changes what the rules match, with no redeploy.
 */
import type { S3Client } from '@aws-sdk/client-s3';
import { ContainerReloader } from '../src/ioc/container-reloader.js';
import { ContainerSet } from '../src/ioc/container-set.js';
import { S3ContainerSource } from './adapters/s3-container-source.js';
import type { EnrichConfig } from './config.js';

export interface LiveContainers {
  set: ContainerSet;
  refresh: () => Promise<unknown>;
}

/** The loaded containers and their refresh, or undefined when no containers prefix is configured. */
export async function loadIocContainers(
  config: Pick<EnrichConfig, 'containers'>,
  s3: S3Client,
  now: () => number,
): Promise<LiveContainers | undefined> {
  if (config.containers === undefined) return undefined;
  const set = new ContainerSet();
  const { bucket, prefix, reloadMs } = config.containers;
  const reloader = new ContainerReloader(new S3ContainerSource({ client: s3, bucket, prefix }), set, {
    intervalMs: reloadMs,
    now,
  });
  // At cold start, before the rules compile: a failure stops the start (retried), never a rule set without them.
  await reloader.refresh();
  return { set, refresh: () => reloader.refresh() };
}
