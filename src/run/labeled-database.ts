// The database a workload instance sees: the tester's client, wrapped so that the database calls still in
// flight name what the instance's task waits on. A run that does not finish then reports a stuck workload
// as "waiting on db.run, tr.get" rather than the last delay it slept through long ago.
import type { Database, Transaction } from '../cluster/client-api.js';

/** Transaction methods that return a promise: the ones a task can be stuck on. */
const WAITING_METHODS: ReadonlySet<PropertyKey> = new Set<keyof Transaction>([
  'getReadVersion',
  'get',
  'getKey',
  'getRange',
  'watch',
  'commit',
  'getVersionstamp',
  'onError',
]);

/**
 * `db`, telling `waitingOn` which of its calls are in flight ('db.run, tr.get') whenever one starts or
 * one of several ends. When the last one ends the label is left alone: the task's next wait names itself.
 */
export function labeledDatabase(db: Database, waitingOn: (what: string) => void): Database {
  const inFlight: string[] = [];
  const track = <T>(name: string, call: () => Promise<T>): Promise<T> => {
    inFlight.push(name);
    waitingOn([...new Set(inFlight)].join(', '));
    const done = () => {
      inFlight.splice(inFlight.indexOf(name), 1);
      if (inFlight.length > 0) waitingOn([...new Set(inFlight)].join(', '));
    };
    let p: Promise<T>;
    try {
      p = call();
    } catch (e) {
      done();
      throw e;
    }
    p.then(done, done);
    return p;
  };
  const wrap = (tr: Transaction): Transaction =>
    new Proxy(tr, {
      get(target, prop) {
        const value: unknown = Reflect.get(target, prop, target);
        if (typeof value !== 'function') return value;
        if (!WAITING_METHODS.has(prop)) return value.bind(target);
        return (...args: unknown[]) =>
          track(`tr.${String(prop)}`, () => value.apply(target, args) as Promise<unknown>);
      },
    });
  return {
    run: (body) => track('db.run', () => db.run((tr, info) => body(wrap(tr), info))),
    createTransaction: () => wrap(db.createTransaction()),
  };
}
