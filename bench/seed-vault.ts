// Seeds N vault assets for one user straight into the database (the server is not running):
// realistic column values, statuses, ratings, tags and dates, in batches through SQL. Used by
// api.bench.ts to measure the vault list at 100,000 assets.
//   node bench/seed-vault.ts <email> <count>   (DATA_DIR or DATABASE_URL as for the server)
import path from 'node:path';
import { sql } from 'drizzle-orm';
import { loadConfig } from '../server/src/config/env.ts';
import { openDatabase } from '../server/src/infra/database.ts';

const [email, countArg] = process.argv.slice(2);
const count = Number(countArg);
if (!email || !Number.isInteger(count) || count <= 0) {
  process.stderr.write('usage: node bench/seed-vault.ts <email> <count>\n');
  process.exit(2);
}
const config = loadConfig(process.env);
const database = await openDatabase(config.database.kind === 'pglite'
  ? { kind: 'pglite', dataDir: config.database.dataDir }
  : { kind: 'postgres', url: config.database.url, poolSize: 2 });
try {
  await database.migrate();
  const user = await database.db.execute<{ id: string }>(sql`select id from users where email = ${email}`);
  const userId = user.rows[0]?.id;
  if (!userId) throw new Error(`no user ${email}`);
  const t0 = performance.now();
  const batch = 10_000;
  for (let start = 0; start < count; start += batch) {
    const n = Math.min(batch, count - start);
    await database.db.execute(sql`
      insert into assets (user_id, kind, source, status, decided_by, original_name, mime_type, bytes, width, height,
        sha256, phash, rating, nsfw_scores, identity_score, identity_threshold, face_count, min_face_age, prompt, engine,
        tags, search_text, storage_key, thumbnail_key, created_at, updated_at, processed_at)
      select ${userId},
        (array['image','image','image','video','audio'])[1 + (g % 5)],
        (array['upload','generated'])[1 + (g % 2)],
        (array['approved','approved','pending','rejected','approved','pending'])[1 + (g % 6)],
        'rules', 'asset-' || g || '.jpg', 'image/jpeg', 200000 + (g % 50000), 1080, 1350,
        md5(${userId} || g::text) || md5(g::text), substr(md5(g::text), 1, 16),
        (array['safe','safe','safe','suggestive'])[1 + (g % 4)],
        jsonb_build_object('neutral', 0.8, 'drawing', 0.1, 'sexy', 0.05, 'porn', 0.03, 'hentai', 0.02),
        0.7 + (g % 30) / 100.0, 0.78, 1, 24 + (g % 20),
        'photo of a character ' || (array['at the beach','in a cafe','on a rooftop','at the gym','hiking'])[1 + (g % 5)],
        (array['comfyui','card-compositor','upload'])[1 + (g % 3)],
        array[(array['summer','winter','portrait','travel','food'])[1 + (g % 5)]],
        'photo of a character ' || (array['at the beach','in a cafe','on a rooftop','at the gym','hiking'])[1 + (g % 5)] || ' ' || (array['summer','winter','portrait','travel','food'])[1 + (g % 5)],
        'users/' || ${userId} || '/assets/' || g || '/original.jpg', 'users/' || ${userId} || '/assets/' || g || '/thumb.webp',
        now() - (g || ' minutes')::interval, now(), now()
      from generate_series(${start + 1}::int, ${start + n}::int) g`);
  }
  await database.db.execute(sql`analyze assets`);
  process.stdout.write(`seeded ${count} assets in ${Math.round(performance.now() - t0)} ms (${path.basename(config.dataDir)})\n`);
  // Cursors deep into the newest-first list (as GET /api/assets encodes them), so the bench can time
  // pages at any depth without walking there: "deep-cursor <depth> <cursor>" lines.
  for (const depth of [0.25, 0.5, 0.9].map((f) => Math.floor(count * f)).filter((d) => d > 0)) {
    const r = await database.db.execute<{ iso: string; id: string }>(sql`
      select to_char(created_at at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"') as iso, id from assets where user_id = ${userId}
      order by created_at desc, id desc offset ${depth - 1} limit 1`);
    const row = r.rows[0];
    if (row) process.stdout.write(`deep-cursor ${depth} ${Buffer.from(`${row.iso}|${row.id}`).toString('base64url')}\n`);
  }
} finally {
  await database.close();
}
