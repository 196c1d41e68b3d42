// `ainfluencer rotate-secrets-key`: a new key for secrets at rest. Every stored secret is
// decrypted with the keys this process has and encrypted with the new one in one transaction;
// the key file is replaced only after that commits (infra/secrets.ts rotateSecretKey), so a crash
// at any point leaves every secret readable. With SECRETS_KEY the operator sets the new value.
import type { AppContext } from '../context.ts';
import type { Db } from '../infra/database.ts';
import { parseSecretKey, rotateSecretKey, SecretBox } from '../infra/secrets.ts';
import { makeRepositories } from '../repositories/index.ts';

export async function rotateSecretsCommand(ctx: AppContext): Promise<string> {
  const envKey = ctx.config.secretsKey ? parseSecretKey(ctx.config.secretsKey) : null;
  const res = await rotateSecretKey({ envKey, dataDir: ctx.config.dataDir }, async (box: SecretBox) => {
    return ctx.database.db.transaction(async (db) => {
      const repos = makeRepositories(db as unknown as Db);
      let n = 0;
      for (const row of await repos.engineConfigs.allSecrets()) {
        if (box.isCurrent(row.secret)) continue;
        await repos.engineConfigs.setSecretById(row.id, box.encrypt(ctx.secrets.decrypt(row.secret)));
        n++;
      }
      return n;
    });
  });
  const lines = [`Re-encrypted ${res.reencrypted} stored secret${res.reencrypted === 1 ? '' : 's'} with a new key.`];
  if (envKey) {
    lines.push(`SECRETS_KEY is set, so the new key was written to ${res.file} for you to move:`);
    lines.push(`  1. set SECRETS_KEY=${res.key.toString('hex')} for every process of this studio,`);
    lines.push('  2. restart them, 3. delete that file.');
  } else {
    lines.push(`The new key is in ${res.file}; the old one is gone. Back it up with your data (a backup without it cannot read the secrets).`);
  }
  return lines.join('\n');
}
