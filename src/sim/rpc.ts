// Request/reply over the simulated network. Replies travel as real messages; a lost request or reply
// shows up as a timeout, and a requester that dies never sees its reply.
import type { Time } from '../core/time.js';
import type { SimEvent } from './event-queue.js';
import type { Network } from './network.js';
import type { SimProcess } from './process.js';

/** A remote failure or timeout, carrying a FoundationDB error name and code. */
export class RpcError extends Error {
  /** No stack trace: timeouts and remote failures are expected and frequent (see FdbError). */
  constructor(
    readonly errorName: string,
    readonly errorCode: number,
    message?: string,
  ) {
    const limit = Error.stackTraceLimit;
    Error.stackTraceLimit = 0;
    super(message ?? errorName);
    Error.stackTraceLimit = limit;
    this.name = 'RpcError';
  }
}

/** The envelope of a request. */
interface RequestEnvelope {
  readonly id: number;
  readonly replyTo: string;
  readonly body: unknown;
}

interface ReplyEnvelope {
  readonly id: number;
  readonly ok: boolean;
  readonly body: unknown;
}

/** How a server answers one request. */
export interface Responder<R> {
  reply(value: R): void;
  fail(errorName: string, errorCode: number): void;
}

const REPLY_ENDPOINT = '__reply';

/** Per-process request/reply machinery. Create one per process incarnation. */
export class Rpc {
  private nextId = 1;
  private readonly waiting = new Map<
    number,
    { resolve: (v: unknown) => void; reject: (e: unknown) => void }
  >();

  constructor(
    readonly proc: SimProcess,
    private readonly network: Network,
  ) {
    proc.listen(REPLY_ENDPOINT, (payload) => {
      const r = payload as ReplyEnvelope;
      const w = this.waiting.get(r.id);
      if (!w) return; // late reply after a timeout
      this.waiting.delete(r.id);
      if (r.ok) w.resolve(r.body);
      else {
        const [name, code] = r.body as [string, number];
        w.reject(new RpcError(name, code));
      }
    });
  }

  /** Sends a request; resolves with the reply or rejects with RpcError('timed_out', 1004) after `timeout`. */
  request<R>(to: string, endpoint: string, body: unknown, timeout: Time): Promise<R> {
    const id = this.nextId++;
    const f = this.proc.future<R>(`reply to ${endpoint} from ${to}`);
    // A reply cancels the timeout: most requests are answered, and their timers would otherwise stay
    // in the event queue for the whole timeout, each a no-op event when it fires.
    let timer: SimEvent | undefined;
    const settle = (): void => {
      if (timer) this.proc.kernel.cancel(timer);
    };
    this.waiting.set(id, {
      resolve: (v) => {
        settle();
        f.resolve(v as R);
      },
      reject: (e) => {
        settle();
        f.reject(e);
      },
    });
    const env: RequestEnvelope = { id, replyTo: this.proc.address, body };
    this.network.send(this.proc, to, endpoint, env);
    timer = this.proc.after(timeout, () => {
      if (this.waiting.delete(id))
        f.reject(new RpcError('timed_out', 1004, `${endpoint} at ${to} timed out`));
    });
    return f.promise;
  }

  /** Sends a one-way message. */
  send(to: string, endpoint: string, body: unknown): void {
    this.network.send(this.proc, to, endpoint, body);
  }

  /** Serves requests at `endpoint`. The handler may answer at once or later, or never (the client times out). */
  serve<Q, R>(endpoint: string, handler: (body: Q, respond: Responder<R>, from: string) => void): void {
    this.proc.listen(endpoint, (payload, from) => {
      const env = payload as RequestEnvelope;
      let answered = false;
      const respond: Responder<R> = {
        reply: (value) => {
          if (answered) return;
          answered = true;
          this.network.send(this.proc, env.replyTo, REPLY_ENDPOINT, { id: env.id, ok: true, body: value });
        },
        fail: (name, code) => {
          if (answered) return;
          answered = true;
          this.network.send(this.proc, env.replyTo, REPLY_ENDPOINT, {
            id: env.id,
            ok: false,
            body: [name, code],
          });
        },
      };
      handler(env.body as Q, respond, from);
    });
  }

  /** Serves one-way messages at `endpoint`. */
  on<Q>(endpoint: string, handler: (body: Q, from: string) => void): void {
    this.proc.listen(endpoint, (payload, from) => handler(payload as Q, from));
  }
}
