// Storage composition: the one place that picks a driver from validated boot config.
import { LocalStorage } from './local.storage.ts';
import { S3Storage } from './s3.storage.ts';
import type { Storage } from './storage.ts';

export type StorageConfig =
  | { driver: 'local'; dir: string }
  | {
      driver: 's3';
      endpoint?: string;
      region: string;
      bucket: string;
      accessKeyId: string;
      secretAccessKey: string;
      forcePathStyle: boolean;
    };

export function createStorage(config: StorageConfig): Storage {
  switch (config.driver) {
    case 'local':
      return new LocalStorage({ dir: config.dir });
    case 's3':
      return new S3Storage({
        endpoint: config.endpoint,
        region: config.region,
        bucket: config.bucket,
        accessKeyId: config.accessKeyId,
        secretAccessKey: config.secretAccessKey,
        forcePathStyle: config.forcePathStyle,
      });
    default: {
      const unknown: never = config;
      throw new Error(`Unknown storage driver: ${JSON.stringify((unknown as { driver?: unknown }).driver)}`);
    }
  }
}

export { LocalStorage, type LocalStorageOptions } from './local.storage.ts';
export { S3Storage, type S3StorageOptions } from './s3.storage.ts';
export { assertValidKey, StorageNotFoundError, StorageUnavailableError, type Storage, type StoredObject } from './storage.ts';
