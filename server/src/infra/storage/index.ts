// Storage composition: the one place that picks a driver from validated boot config.
import { LocalStorage } from './local.storage.ts';
import { S3Storage, type S3StorageOptions } from './s3.storage.ts';
import type { Storage } from './storage.ts';

export type StorageConfig =
  | { driver: 'local'; dir: string }
  | ({ driver: 's3' } & Pick<S3StorageOptions, 'endpoint' | 'region' | 'bucket' | 'accessKeyId' | 'secretAccessKey' | 'forcePathStyle'>);

export function createStorage(config: StorageConfig): Storage {
  switch (config.driver) {
    case 'local':
      return new LocalStorage({ dir: config.dir });
    case 's3': {
      const { driver: _d, ...options } = config;
      return new S3Storage(options);
    }
    default: {
      const unknown: never = config;
      throw new Error(`Unknown storage driver: ${JSON.stringify((unknown as { driver?: unknown }).driver)}`);
    }
  }
}

export { LocalStorage } from './local.storage.ts';
export { S3Storage } from './s3.storage.ts';
export { StorageNotFoundError, type Storage } from './storage.ts';
