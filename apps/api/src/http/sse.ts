import type { ServerResponse } from 'node:http';
import type { ApiRequest } from './route.js';
import {
  findFinishedTurns,
  parseStreamEntries,
  STREAM_PAGE,
  type StreamEntryEvent,
  isStreamId,
  isTerminalEvent,
  isTurnFinished,
  turnEventsKey,
  type Logger,
  type Queryable,
  type Redis,
  type Turn,
  type TurnEvent,
  type TurnEventSubscriber,
} from '@todo/core';

/** One Server-Sent Event: `id` is its Redis stream entry id, so Last-Event-ID resumes right after it. */
export type StreamEvent = StreamEntryEvent;

/** Turn ids per batched Postgres check: a handful of queries even with thousands of open streams. */
const SETTLE_BATCH = 1_000;

export interface EventStreamHubDeps {
  redis: Redis;
  /** Comment lines at least this often keep proxies from closing an idle stream (15 s). */
  heartbeatMs: number;
  /** Open streams, so that shutdown can end them with a final comment. */
  openStreams: Set<ServerResponse>;
  logger?: Logger;
}

export interface TurnStreamDeps extends EventStreamHubDeps {
  db: Queryable;
  events: TurnEventSubscriber;
  redisKeyPrefix: string;
}

function writeEvent(res: ServerResponse, event: StreamEvent): void {
  res.write(`id: ${event.id}\nevent: ${event.event}\ndata: ${JSON.stringify(event.data)}\n\n`);
}

/**
 * Starts an event-stream response: `no-transform` keeps compressing proxies from buffering it,
 * `X-Accel-Buffering: no` does the same for nginx.
 */
export function openEventStream(res: ServerResponse): void {
  res.statusCode = 200;
  res.setHeader('Content-Type', 'text/event-stream; charset=utf-8');
  res.setHeader('Cache-Control', 'no-cache, no-transform');
  res.setHeader('X-Accel-Buffering', 'no');
  res.setHeader('Connection', 'keep-alive');
  res.flushHeaders();
  res.write(': stream open\n\n');
}

/** The valid Last-Event-ID of a request (an EventSource reconnecting), else undefined. */
export function lastEventIdOf(req: ApiRequest): string | undefined {
  const header = req.headers['last-event-id'];
  return typeof header === 'string' && isStreamId(header) ? header : undefined;
}

/** Orders two Redis stream ids (`<ms>-<seq>`) numerically. */
export function compareStreamIds(a: string, b: string): number {
  const [aMs, aSeq] = a.split('-').map(BigInt) as [bigint, bigint];
  const [bMs, bSeq] = b.split('-').map(BigInt) as [bigint, bigint];
  if (aMs !== bMs) return aMs < bMs ? -1 : 1;
  return aSeq === bSeq ? 0 : aSeq < bSeq ? -1 : 1;
}

export interface StreamReader {
  /**
   * The entries of the Redis stream `key` after `afterId` (exclusive; from the start when
   * undefined), oldest first, at most 500. Rejects with the Redis error (an outage: the
   * connection's MaxRetriesPerRequestError or ECONNREFUSED).
   */
  read(key: string, afterId: string | undefined): Promise<StreamEvent[]>;
}

/**
 * Reads Redis streams for many event streams at once: the XRANGEs asked for in the same turn of
 * the event loop (say, 2,000 wake-ups from one pub/sub burst, or every feed at a heartbeat) go
 * out as one pipeline, one write and one parse on the shared command connection.
 */
export function createStreamReader(redis: Redis): StreamReader {
  type Pending = { key: string; start: string; resolve: (events: StreamEvent[]) => void; reject: (error: unknown) => void };
  let pending: Pending[] = [];
  const flush = () => {
    const batch = pending;
    pending = [];
    if (batch.length === 1) {
      const [only] = batch as [Pending];
      redis.xrange(only.key, only.start, '+', 'COUNT', STREAM_PAGE).then((entries) => only.resolve(parseStreamEntries(entries)), only.reject);
      return;
    }
    const pipeline = redis.pipeline();
    for (const { key, start } of batch) pipeline.xrange(key, start, '+', 'COUNT', STREAM_PAGE);
    pipeline.exec().then(
      (results) =>
        batch.forEach(({ resolve, reject }, i) => {
          const [error, entries] = results?.[i] ?? [new Error('pipeline returned no result')];
          if (error) reject(error);
          else resolve(parseStreamEntries(entries as [string, string[]][]));
        }),
      (error: unknown) => batch.forEach(({ reject }) => reject(error)),
    );
  };
  return {
    read(key, afterId) {
      return new Promise((resolve, reject) => {
        if (pending.length === 0) setImmediate(flush);
        pending.push({ key, start: afterId ? `(${afterId}` : '-', resolve, reject });
      });
    },
  };
}

interface HubMember {
  heartbeat(): void;
}

/**
 * What the event streams of one process share: one heartbeat timer for all of them (not one
 * each), the batched Redis reader, and the batched Postgres check of turn streams. It holds no
 * connection of its own; the timer runs only while a stream is open.
 */
export class EventStreamHub {
  readonly reader: StreamReader;
  private readonly members = new Set<HubMember>();
  private readonly onTick: (() => void)[] = [];
  private timer: NodeJS.Timeout | undefined;
  private turnSettler: TurnSettler | undefined;

  constructor(private readonly deps: EventStreamHubDeps) {
    this.reader = createStreamReader(deps.redis);
  }

  get openStreams(): Set<ServerResponse> {
    return this.deps.openStreams;
  }

  add(member: HubMember): void {
    this.members.add(member);
    if (this.timer) return;
    this.timer = setInterval(() => this.tick(), this.deps.heartbeatMs);
    this.timer.unref();
  }

  remove(member: HubMember): void {
    this.members.delete(member);
    if (this.members.size > 0 || !this.timer) return;
    clearInterval(this.timer);
    this.timer = undefined;
  }

  /** The Postgres safety net of the turn streams of this process, made on first use. */
  settler(db: Queryable): TurnSettler {
    if (!this.turnSettler) {
      const settler = new TurnSettler(db, this.deps.logger);
      this.turnSettler = settler;
      this.onTick.push(() => void settler.check());
    }
    return this.turnSettler;
  }

  private tick(): void {
    for (const member of this.members) member.heartbeat();
    for (const job of this.onTick) job();
  }
}

const hubs = new WeakMap<Set<ServerResponse>, EventStreamHub>();

/** The hub of the process whose open streams are `deps.openStreams` (one per app). */
export function eventStreamHub(deps: EventStreamHubDeps): EventStreamHub {
  let hub = hubs.get(deps.openStreams);
  if (!hub) {
    // Only what the hub needs: a caller's deps may hold a request's closures (its token check).
    const { redis, heartbeatMs, openStreams, logger } = deps;
    hubs.set(openStreams, (hub = new EventStreamHub({ redis, heartbeatMs, openStreams, logger })));
  }
  return hub;
}

export interface EventStreamOptions {
  hub: EventStreamHub;
  req: ApiRequest;
  res: ServerResponse;
  /** Send the events after this id; undefined: from the start. */
  lastId: string | undefined;
  /** Reads the events after `afterId` (at most 500); rejects on a Redis error. */
  read(afterId: string | undefined): Promise<StreamEvent[]>;
  /** Registers the wake-up for news (the process's pub/sub subscriber); returns the unsubscribe. */
  subscribe(onNews: () => void): () => void;
  /** True for the event after which the stream ends (a turn's completed or failed). */
  isFinal?(event: StreamEvent): boolean;
  /** Written right after the stream opens (the id a new task feed starts at). */
  preamble?: string;
  /** Runs at every heartbeat, after the comment. */
  onHeartbeat?(stream: EventStream): void;
  /** Runs once when the stream ends, whoever ends it. */
  onEnd?(): void;
  /** Named in the warning when a read fails ({ turnId } or { userId }). */
  logContext: Record<string, unknown>;
}

export interface EventStream {
  /** The id of the last event written, where a reconnect would resume. */
  readonly lastId: string | undefined;
  readonly isDone: boolean;
  /**
   * Reads whatever is new and writes it; a call while a read is under way makes that read go
   * round once more, so news is never dropped. Never rejects: a failed read is logged, and the
   * next wake-up or heartbeat retries.
   */
  pump(): Promise<void>;
  /** Writes one event and moves lastId to it. */
  write(event: StreamEvent): void;
  /** Ends the response (after a comment line, if given); idempotent. */
  end(comment?: string): void;
}

class PumpedEventStream implements EventStream, HubMember {
  lastId: string | undefined;
  isDone = false;
  private isPumping = false;
  private hasMore = false;
  /** The read loop under way (or the last one, settled). */
  private running: Promise<void> = Promise.resolve();
  private unsubscribe: () => void = () => undefined;

  constructor(private readonly o: EventStreamOptions) {
    this.lastId = o.lastId;
  }

  /** Subscribes, reads what is there already, and only then answers 200: a failed first read rejects with nothing sent. */
  async start(): Promise<void> {
    const { o } = this;
    this.unsubscribe = o.subscribe(() => void this.pump());
    // Wake-ups during the first read mark it to go round again, as in pump().
    this.isPumping = true;
    let first: StreamEvent[];
    try {
      first = await o.read(this.lastId);
    } catch (error) {
      this.unsubscribe();
      throw error;
    } finally {
      this.isPumping = false;
    }
    openEventStream(o.res);
    o.hub.openStreams.add(o.res);
    o.hub.add(this);
    o.req.on('close', () => this.end());
    o.res.on('close', () => this.end());
    // The client may have gone while the first read was under way.
    if (!o.res.socket || o.res.socket.destroyed) return this.end();
    if (o.preamble) o.res.write(o.preamble);
    const isMore = this.hasMore || first.length === STREAM_PAGE;
    for (const event of first) {
      this.write(event);
      if (o.isFinal?.(event)) return this.end();
    }
    if (isMore) await this.pump();
  }

  pump(): Promise<void> {
    // A read is under way: it goes round once more, and the caller waits for that round (the
    // settler must not write a final event before the events that round reads).
    if (this.isPumping) {
      this.hasMore = true;
      return this.running;
    }
    this.isPumping = true;
    this.running = this.pumpLoop();
    return this.running;
  }

  private async pumpLoop(): Promise<void> {
    try {
      do {
        this.hasMore = false;
        const events = await this.o.read(this.lastId);
        for (const event of events) {
          if (this.isDone) return;
          this.write(event);
          if (this.o.isFinal?.(event)) return this.end();
        }
        if (events.length === STREAM_PAGE) this.hasMore = true;
      } while (this.hasMore && !this.isDone);
    } catch (error) {
      this.o.req.log.warn({ err: error, ...this.o.logContext }, 'reading stream events failed; the next wake-up or heartbeat retries');
    } finally {
      this.isPumping = false;
    }
  }

  write(event: StreamEvent): void {
    if (this.isDone) return;
    writeEvent(this.o.res, event);
    this.lastId = event.id;
  }

  end(comment?: string): void {
    if (this.isDone) return;
    this.isDone = true;
    this.unsubscribe();
    this.o.hub.remove(this);
    this.o.hub.openStreams.delete(this.o.res);
    this.o.onEnd?.();
    if (comment) this.o.res.write(`: ${comment}\n\n`);
    this.o.res.end();
  }

  heartbeat(): void {
    if (this.isDone) return;
    this.o.res.write(': heartbeat\n\n');
    this.o.onHeartbeat?.(this);
  }
}

/**
 * Runs an event stream on `res`: subscribes to wake-ups, reads the events after `lastId` and
 * only then answers 200 (so a Redis outage rejects before anything is sent, and the route
 * answers 503), writes them, then writes new events on every wake-up until the client goes, the
 * final event is written, or `end()` is called. Heartbeat comments come from the hub's timer.
 * Rejects only with the first read's error.
 */
export async function startEventStream(options: EventStreamOptions): Promise<EventStream> {
  const stream = new PumpedEventStream(options);
  await stream.start();
  return stream;
}

/** What a finished turn's final event is rebuilt from. */
type FinishedTurn = Pick<Turn, 'id' | 'status' | 'result' | 'error' | 'createdAt' | 'finishedAt'>;

/**
 * The id of a finished turn's final event: the stored `completed`/`failed` entry when the stream
 * has one; otherwise (the stream expired, or the worker stopped between recording the end and
 * publishing it) the id the rebuilt final event is sent with, derived from the turn's end and the
 * stream's last entry so that every replica and every reconnect computes the same one.
 */
export async function findFinalEventId(
  deps: Pick<TurnStreamDeps, 'redis' | 'redisKeyPrefix'>,
  turn: Pick<Turn, 'id' | 'createdAt' | 'finishedAt'>,
): Promise<string> {
  const [last] = await deps.redis.xrevrange(turnEventsKey(deps.redisKeyPrefix, turn.id), '+', '-', 'COUNT', 1);
  // Entries are written as ['event', <name>, 'data', <json>].
  if (last && isTerminalEvent(last[1][1] as TurnEvent['event'])) return last[0];
  const [ms = '0', seq = '0'] = last ? last[0].split('-') : [];
  const afterLast = `${ms}-${BigInt(seq) + 1n}`;
  const atEnd = `${(turn.finishedAt ?? turn.createdAt).getTime()}-0`;
  return compareStreamIds(afterLast, atEnd) > 0 ? afterLast : atEnd;
}

/**
 * True when an EventSource reconnects to a finished turn with a Last-Event-ID at or past its
 * final event: it has seen everything, and a 204 tells it to stop reconnecting (HTML standard).
 */
export async function hasSeenTurnEnd(
  deps: Pick<TurnStreamDeps, 'redis' | 'redisKeyPrefix'>,
  { req, turn }: { req: ApiRequest; turn: Turn },
): Promise<boolean> {
  const lastId = lastEventIdOf(req);
  if (lastId === undefined || !isTurnFinished(turn)) return false;
  return compareStreamIds(lastId, await findFinalEventId(deps, turn)) >= 0;
}

interface SettlerMember {
  turnId: string;
  /** Set when the stream wrote an event; the settler clears it at each check. */
  hasNews: boolean;
  settle(turn: FinishedTurn): Promise<void>;
}

/**
 * The safety net of every turn stream of a process in one query per heartbeat: the turns, among
 * those whose streams wrote nothing since the last check, that ended in Postgres. Their streams
 * end with the final event, from Redis if it is there, else rebuilt from the row: a stream whose
 * events expired or whose wake-up was missed still ends. 2,000 idle streams cost 2 queries per
 * heartbeat, not 2,000.
 */
export class TurnSettler {
  private readonly members = new Set<SettlerMember>();
  private isChecking = false;

  constructor(
    private readonly db: Queryable,
    private readonly logger: Logger | undefined,
  ) {}

  add(member: SettlerMember): void {
    this.members.add(member);
  }

  delete(member: SettlerMember): void {
    this.members.delete(member);
  }

  /** One check (a heartbeat); skipped while the previous one is still waiting for Postgres. */
  async check(): Promise<void> {
    if (this.isChecking) return;
    const quiet: SettlerMember[] = [];
    for (const member of this.members) {
      if (member.hasNews) member.hasNews = false;
      else quiet.push(member);
    }
    if (quiet.length === 0) return;
    this.isChecking = true;
    try {
      const ids = [...new Set(quiet.map((m) => m.turnId))];
      const finished = new Map<string, FinishedTurn>();
      for (let i = 0; i < ids.length; i += SETTLE_BATCH) {
        for (const turn of await findFinishedTurns(this.db, ids.slice(i, i + SETTLE_BATCH))) finished.set(turn.id, turn);
      }
      for (const member of quiet) {
        const turn = finished.get(member.turnId);
        if (turn) void member.settle(turn);
      }
    } catch (error) {
      this.logger?.warn({ err: error, streams: quiet.length }, 'checking open turn streams in Postgres failed; the next heartbeat retries');
    } finally {
      this.isChecking = false;
    }
  }
}

/**
 * Streams a turn's events as Server-Sent Events: everything after Last-Event-ID (or from the
 * start), then live events until `completed` or `failed`, after which the stream ends. Events
 * live in a Redis stream written by the worker; a pub/sub message wakes this reader. If the
 * stream is gone (retention passed, Redis restarted) the final event is rebuilt from Postgres:
 * at once when `turn` (as the route loaded it) has ended, else by the process's batched check
 * at a later heartbeat. Rejects (nothing sent yet) when Redis cannot be read: the route answers 503.
 */
export async function streamTurnEvents(
  deps: TurnStreamDeps,
  { req, res, turn }: { req: ApiRequest; res: ServerResponse; turn: Turn },
): Promise<void> {
  const hub = eventStreamHub(deps);
  const settler = hub.settler(deps.db);
  const key = turnEventsKey(deps.redisKeyPrefix, turn.id);
  let isSettling = false;
  const member: SettlerMember = {
    turnId: turn.id,
    // A stream that just read waits one heartbeat before it counts as quiet.
    hasNews: true,
    async settle(ended) {
      if (isSettling || stream.isDone) return;
      isSettling = true;
      try {
        await stream.pump();
        if (stream.isDone) return;
        const id = await findFinalEventId(deps, ended);
        if (stream.isDone) return;
        const event = ended.status === 'completed' ? 'completed' : 'failed';
        stream.write({ id, event, data: ended.status === 'completed' ? ended.result : { error: ended.error } });
        stream.end();
      } catch (error) {
        req.log.warn({ err: error, turnId: ended.id }, 'ending a finished turn stream failed; the next heartbeat retries');
      } finally {
        isSettling = false;
      }
    },
  };
  const stream: EventStream = await startEventStream({
    hub,
    req,
    res,
    lastId: lastEventIdOf(req),
    read: async (afterId) => {
      const events = await hub.reader.read(key, afterId);
      if (events.length > 0) member.hasNews = true;
      return events;
    },
    subscribe: (onNews) => deps.events.subscribe(turn.id, onNews),
    isFinal: (event) => isTerminalEvent(event.event as TurnEvent['event']),
    onEnd: () => settler.delete(member),
    logContext: { turnId: turn.id },
  });
  if (stream.isDone) return;
  settler.add(member);
  if (isTurnFinished(turn)) await member.settle(turn);
}
