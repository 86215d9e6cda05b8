// Statements prepared once per database, on first use: a domain hands its API out (modules.ts) before it is attached
// to a core, so the API reads the database at each call and prepares its statements the first time it meets it.
import type { Db } from './db.ts';

/** `make(db)` for the database `db()` returns now, made once per database. */
export function preparedPerDb<T extends object>(db: () => Db, make: (db: Db) => T): () => T {
  const made = new WeakMap<Db, T>();
  return () => {
    const d = db();
    let s = made.get(d);
    if (s === undefined) made.set(d, (s = make(d)));
    return s;
  };
}
