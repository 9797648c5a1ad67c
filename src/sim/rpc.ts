// Request/reply over the simulated network. Replies travel as real messages; a lost request or reply
// shows up as a timeout, and a requester that dies never sees its reply.
import type { Time } from '../core/time.js';
import type { SimEvent } from './event-queue.js';
import type { Future } from './kernel.js';
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

/** A request waiting for its reply, and its timeout (cancelled by the reply). */
interface Waiting {
  readonly rpc: Rpc;
  readonly id: number;
  readonly to: string;
  readonly endpoint: string;
  readonly future: Future<unknown>;
  timer: SimEvent | undefined;
}

/**
 * A request's timeout: the event's callback, shared by every request (the request is its argument). A
 * request of a process that died meanwhile is forgotten with its Rpc, and its future ignores the reject.
 */
function timedOut(w: Waiting): void {
  if (w.rpc.forget(w.id))
    w.future.reject(new RpcError('timed_out', 1004, `${w.endpoint} at ${w.to} timed out`));
}

/** How a server answers one request. */
export interface Responder<R> {
  reply(value: R): void;
  fail(errorName: string, errorCode: number): void;
}

const REPLY_ENDPOINT = '__reply';

/** The answer to one request: the first reply or failure is sent, later ones are ignored. */
class Reply<R> implements Responder<R> {
  private answered = false;

  constructor(
    private readonly proc: SimProcess,
    private readonly network: Network,
    private readonly env: RequestEnvelope,
  ) {}

  reply(value: R): void {
    if (this.answered) return;
    this.answered = true;
    const r: ReplyEnvelope = { id: this.env.id, ok: true, body: value };
    this.network.send(this.proc, this.env.replyTo, REPLY_ENDPOINT, r);
  }

  fail(errorName: string, errorCode: number): void {
    if (this.answered) return;
    this.answered = true;
    const r: ReplyEnvelope = { id: this.env.id, ok: false, body: [errorName, errorCode] };
    this.network.send(this.proc, this.env.replyTo, REPLY_ENDPOINT, r);
  }
}

/** Per-process request/reply machinery. Create one per process incarnation. */
export class Rpc {
  private nextId = 1;
  private readonly waiting = new Map<number, Waiting>();

  constructor(
    readonly proc: SimProcess,
    private readonly network: Network,
  ) {
    proc.listen(REPLY_ENDPOINT, (payload) => {
      const r = payload as ReplyEnvelope;
      const w = this.waiting.get(r.id);
      if (!w) return; // late reply after a timeout
      this.waiting.delete(r.id);
      if (w.timer) this.proc.kernel.cancel(w.timer);
      if (r.ok) w.future.resolve(r.body);
      else {
        const [name, code] = r.body as [string, number];
        w.future.reject(new RpcError(name, code));
      }
    });
  }

  /** Sends a request; resolves with the reply or rejects with RpcError('timed_out', 1004) after `timeout`. */
  request<R>(to: string, endpoint: string, body: unknown, timeout: Time): Promise<R> {
    const id = this.nextId++;
    // The endpoint is label enough: no task names this future as what it waits on, and it costs no string.
    const f = this.proc.future<R>(endpoint);
    // A reply cancels the timeout: most requests are answered, and their timers would otherwise stay
    // in the event queue for the whole timeout, each a no-op event when it fires.
    const waiting: Waiting = { rpc: this, id, to, endpoint, future: f as Future<unknown>, timer: undefined };
    this.waiting.set(id, waiting);
    const env: RequestEnvelope = { id, replyTo: this.proc.address, body };
    this.network.send(this.proc, to, endpoint, env);
    waiting.timer = this.proc.kernel.after(timeout, timedOut, waiting);
    return f.promise;
  }

  /** Stops waiting for request `id`; false when it was not waited for (answered, or timed out already). */
  forget(id: number): boolean {
    return this.waiting.delete(id);
  }

  /** Sends a one-way message. */
  send(to: string, endpoint: string, body: unknown): void {
    this.network.send(this.proc, to, endpoint, body);
  }

  /** Serves requests at `endpoint`. The handler may answer at once or later, or never (the client times out). */
  serve<Q, R>(endpoint: string, handler: (body: Q, respond: Responder<R>, from: string) => void): void {
    this.proc.listen(endpoint, (payload, from) => {
      const env = payload as RequestEnvelope;
      handler(env.body as Q, new Reply<R>(this.proc, this.network, env), from);
    });
  }

  /** Serves one-way messages at `endpoint`. */
  on<Q>(endpoint: string, handler: (body: Q, from: string) => void): void {
    this.proc.listen(endpoint, (payload, from) => handler(payload as Q, from));
  }
}
