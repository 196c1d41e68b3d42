// Backup and restore at the row level, for every table of our schema, read from the database
// catalog (so a table added by a later migration is included without touching this file).
// Rows travel as `row_to_json` text and come back through `json_populate_recordset`: Postgres
// formats and parses every value itself (timestamps to the microsecond, jsonb, arrays, floats
// in their shortest exact form), the same on PGlite and on a Postgres server.
import { sql, type SQL } from 'drizzle-orm';
import type { Db } from '../infra/database.ts';

/** The schema our tables live in (Drizzle's default). pg-boss keeps its own (`pgboss`), not backed up. */
const SCHEMA = 'public';
/** Columns that hold storage keys: text columns named `*_key` (storage_key, thumbnail_key, …). */
const STORAGE_KEY_COLUMN = /_key$/;

interface ColumnInfo {
  name: string;
  type: string;
  /** GENERATED ALWAYS AS (…) STORED: computed, never inserted. */
  generated: boolean;
  /** GENERATED ALWAYS AS IDENTITY: needs OVERRIDING SYSTEM VALUE to insert. */
  identityAlways: boolean;
}

export interface TableInfo {
  name: string;
  columns: ColumnInfo[];
  /** Tables this one has foreign keys to (itself excluded). */
  references: string[];
  /** Text columns that name storage objects. */
  keyColumns: string[];
}

export interface AppliedMigration {
  hash: string;
  /** The migration's `when` from the journal (drizzle's `created_at`). */
  createdAt: number;
}

type Exec = Pick<Db, 'execute'>;

async function rows<T>(db: Exec, query: SQL): Promise<T[]> {
  return (await db.execute(query)).rows as T[];
}

const qualified = (table: string) => sql`${sql.identifier(SCHEMA)}.${sql.identifier(table)}`;

/**
 * Tables ordered so that every table comes after the tables it references, as far as a cycle
 * allows (the restore defers foreign keys, so a cycle only costs the order's readability).
 */
function dependencyOrder(tables: TableInfo[]): TableInfo[] {
  const byName = new Map(tables.map((t) => [t.name, t]));
  const done = new Set<string>();
  const visiting = new Set<string>();
  const out: TableInfo[] = [];
  const visit = (t: TableInfo) => {
    if (done.has(t.name) || visiting.has(t.name)) return; // a cycle: keep going, the load will say which row failed
    visiting.add(t.name);
    for (const r of t.references) {
      const dep = byName.get(r);
      if (dep) visit(dep);
    }
    visiting.delete(t.name);
    done.add(t.name);
    out.push(t);
  };
  for (const t of [...tables].sort((a, b) => a.name.localeCompare(b.name))) visit(t);
  return out;
}

/** Reads inside one REPEATABLE READ READ ONLY transaction: everything it returns is one instant. */
export interface SnapshotReader {
  tables(): Promise<TableInfo[]>;
  migrations(): Promise<AppliedMigration[]>;
  /** Every row of `table` as JSON text, in batches (a server-side cursor; memory stays bounded). */
  rows(table: string, onBatch: (jsonRows: string[]) => Promise<void>, batchSize?: number): Promise<void>;
  /** Distinct non-null values of the table's storage-key columns, in batches. */
  storageKeys(table: TableInfo, onBatch: (keys: string[]) => Promise<void>): Promise<void>;
}

export interface RestoreWriter {
  tables(): Promise<TableInfo[]>;
  /**
   * Inserts rows given as JSON objects (text). Only `columns` (those the backup has) are written;
   * a column the backup lacks takes its default.
   */
  insert(table: TableInfo, columns: string[], jsonRows: string[]): Promise<void>;
  /** Removes every row (only used for `settings`, which a bare start fills). */
  clear(table: string): Promise<void>;
  count(table: string): Promise<number>;
  /** Moves every sequence owned by a column of `table` past the column's largest value. */
  fixSequences(table: TableInfo): Promise<number>;
  /**
   * Defers every foreign key of our schema to the end of the load, so tables that reference each
   * other (characters ⇄ reference_photos through the avatar) load in any order. Returns the step
   * that checks them all and puts each constraint back as it was.
   */
  deferForeignKeys(): Promise<() => Promise<void>>;
}

export class BackupRepository {
  private readonly db: Db;
  constructor(db: Db) { this.db = db; }

  async tables(db: Exec = this.db): Promise<TableInfo[]> {
    const cols = await rows<{ table: string; column: string; type: string; generated: boolean; identity_always: boolean }>(db, sql`
      select c.relname as "table", a.attname as "column", format_type(a.atttypid, a.atttypmod) as "type",
             a.attgenerated <> '' as "generated", a.attidentity = 'a' as "identity_always"
      from pg_catalog.pg_class c
      join pg_catalog.pg_namespace n on n.oid = c.relnamespace
      join pg_catalog.pg_attribute a on a.attrelid = c.oid and a.attnum > 0 and not a.attisdropped
      where n.nspname = ${SCHEMA} and c.relkind = 'r' and not c.relispartition
      order by c.relname, a.attnum`);
    const fks = await rows<{ table: string; references: string }>(db, sql`
      select c.relname as "table", r.relname as "references"
      from pg_catalog.pg_constraint k
      join pg_catalog.pg_class c on c.oid = k.conrelid
      join pg_catalog.pg_class r on r.oid = k.confrelid
      join pg_catalog.pg_namespace n on n.oid = r.relnamespace
      where k.contype = 'f' and n.nspname = ${SCHEMA}`);
    const tables = new Map<string, TableInfo>();
    for (const c of cols) {
      let t = tables.get(c.table);
      if (!t) tables.set(c.table, (t = { name: c.table, columns: [], references: [], keyColumns: [] }));
      t.columns.push({ name: c.column, type: c.type, generated: c.generated, identityAlways: c.identity_always });
      if (STORAGE_KEY_COLUMN.test(c.column) && c.type === 'text') t.keyColumns.push(c.column);
    }
    for (const fk of fks) {
      const t = tables.get(fk.table);
      if (t && fk.references !== fk.table && !t.references.includes(fk.references)) t.references.push(fk.references);
    }
    return dependencyOrder([...tables.values()]);
  }

  /** Migrations recorded by Drizzle, oldest first; empty when the database was never migrated. */
  async migrations(db: Exec = this.db): Promise<AppliedMigration[]> {
    const [exists] = await rows<{ ok: boolean }>(db, sql`select to_regclass('drizzle.__drizzle_migrations') is not null as ok`);
    if (!exists?.ok) return [];
    const list = await rows<{ hash: string; created_at: string }>(db, sql`select hash, created_at::text as created_at from drizzle.__drizzle_migrations order by created_at, id`);
    return list.map((m) => ({ hash: m.hash, createdAt: Number(m.created_at) }));
  }

  /** Runs `fn` in one REPEATABLE READ READ ONLY transaction (a consistent snapshot of every table). */
  async snapshot<T>(fn: (reader: SnapshotReader) => Promise<T>): Promise<T> {
    return this.db.transaction(async (tx) => {
      let cursors = 0;
      const reader: SnapshotReader = {
        tables: () => this.tables(tx),
        migrations: () => this.migrations(tx),
        rows: async (table, onBatch, batchSize = 500) => {
          const cursor = `backup_rows_${++cursors}`;
          await tx.execute(sql`declare ${sql.identifier(cursor)} no scroll cursor for select row_to_json(t)::text as j from ${qualified(table)} t`);
          for (;;) {
            const batch = await rows<{ j: string }>(tx, sql`fetch ${sql.raw(String(batchSize))} from ${sql.identifier(cursor)}`);
            if (batch.length === 0) break;
            await onBatch(batch.map((r) => r.j));
            if (batch.length < batchSize) break;
          }
          await tx.execute(sql`close ${sql.identifier(cursor)}`);
        },
        storageKeys: async (table, onBatch) => {
          if (table.keyColumns.length === 0) return;
          const cursor = `backup_keys_${++cursors}`;
          const values = sql.join(table.keyColumns.map((c) => sql`t.${sql.identifier(c)}`), sql`, `);
          await tx.execute(sql`declare ${sql.identifier(cursor)} no scroll cursor for
            select distinct k from (select unnest(array[${values}]) as k from ${qualified(table.name)} t) s where k is not null and k <> ''`);
          for (;;) {
            const batch = await rows<{ k: string }>(tx, sql`fetch 2000 from ${sql.identifier(cursor)}`);
            if (batch.length === 0) break;
            await onBatch(batch.map((r) => r.k));
            if (batch.length < 2000) break;
          }
          await tx.execute(sql`close ${sql.identifier(cursor)}`);
        },
      };
      return fn(reader);
    }, { isolationLevel: 'repeatable read', accessMode: 'read only' });
  }

  /** Row counts of every table except those in `except`; a table with rows means "not empty". */
  async nonEmptyTables(except: string[] = []): Promise<Array<{ table: string; rows: number }>> {
    const out: Array<{ table: string; rows: number }> = [];
    for (const t of await this.tables()) {
      if (except.includes(t.name)) continue;
      const [r] = await rows<{ n: number }>(this.db, sql`select count(*)::int as n from ${qualified(t.name)}`);
      if (r.n > 0) out.push({ table: t.name, rows: r.n });
    }
    return out;
  }

  /** Ids of the rows of `table` whose `column` equals `value` (records caught mid-work). */
  async idsWhere(table: string, column: string, value: string): Promise<string[]> {
    const list = await rows<{ id: string }>(this.db, sql`select id::text as id from ${qualified(table)} where ${sql.identifier(column)} = ${value}`);
    return list.map((r) => r.id);
  }

  /** Runs `fn` in one read-write transaction: all rows arrive, or none do. */
  async restore<T>(fn: (writer: RestoreWriter) => Promise<T>): Promise<T> {
    return this.db.transaction(async (tx) => {
      const writer: RestoreWriter = {
        tables: () => this.tables(tx),
        insert: async (table, columns, jsonRows) => {
          if (jsonRows.length === 0) return;
          const cols = table.columns.filter((c) => !c.generated && columns.includes(c.name));
          const names = sql.join(cols.map((c) => sql.identifier(c.name)), sql`, `);
          const overriding = cols.some((c) => c.identityAlways) ? sql` overriding system value` : sql``;
          await tx.execute(sql`insert into ${qualified(table.name)} (${names})${overriding}
            select ${names} from json_populate_recordset(null::${qualified(table.name)}, ${`[${jsonRows.join(',')}]`}::json)`);
        },
        clear: async (table) => { await tx.execute(sql`delete from ${qualified(table)}`); },
        count: async (table) => {
          const [r] = await rows<{ n: number }>(tx, sql`select count(*)::int as n from ${qualified(table)}`);
          return r.n;
        },
        deferForeignKeys: async () => {
          // Not DEFERRABLE constraints cannot be deferred by SET CONSTRAINTS; make them so inside
          // this transaction (DDL is transactional: a failed restore rolls this back too).
          const fks = await rows<{ table: string; name: string }>(tx, sql`
            select c.relname as "table", k.conname as "name"
            from pg_catalog.pg_constraint k
            join pg_catalog.pg_class c on c.oid = k.conrelid
            join pg_catalog.pg_namespace n on n.oid = c.relnamespace
            where k.contype = 'f' and n.nspname = ${SCHEMA} and not k.condeferrable`);
          for (const fk of fks) {
            await tx.execute(sql`alter table ${qualified(fk.table)} alter constraint ${sql.identifier(fk.name)} deferrable initially deferred`);
          }
          await tx.execute(sql`set constraints all deferred`);
          return async () => {
            await tx.execute(sql`set constraints all immediate`); // every postponed check runs here
            for (const fk of fks) {
              await tx.execute(sql`alter table ${qualified(fk.table)} alter constraint ${sql.identifier(fk.name)} not deferrable initially immediate`);
            }
          };
        },
        fixSequences: async (table) => {
          let fixed = 0;
          for (const c of table.columns) {
            const [s] = await rows<{ seq: string | null }>(tx, sql`select pg_get_serial_sequence(${`${SCHEMA}.${JSON.stringify(table.name)}`}, ${c.name}) as seq`);
            if (!s?.seq) continue;
            await tx.execute(sql`select setval(${s.seq}::regclass, coalesce((select max(${sql.identifier(c.name)}) from ${qualified(table.name)}), 0) + 1, false)`);
            fixed++;
          }
          return fixed;
        },
      };
      return fn(writer);
    });
  }
}
