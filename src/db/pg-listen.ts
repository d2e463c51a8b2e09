import pg from "pg";
import type { Logger } from "pino";

/** How long to wait before connecting again after the listening connection failed, doubling up to the last. */
const RECONNECT_MS = [250, 500, 1_000, 2_000, 5_000];

export interface Listening {
  close(): Promise<void>;
}

/**
 * LISTENs on `channel` on a connection of its own and calls `onNotify` for each notification. NOTIFY is lost
 * while the connection is down, so `onNotify` is also called after every (re)connect: a caller reads what it
 * missed from a table (the catalog's change log), never from the payload. Connects again with a backoff
 * after a failure; never throws after the first connect.
 */
export async function listenPostgres(
  connectionString: string,
  channel: string,
  onNotify: () => void,
  log?: Logger,
): Promise<Listening> {
  let client: pg.Client | undefined;
  let closed = false;
  let attempt = 0;
  let timer: NodeJS.Timeout | undefined;

  const connect = async (): Promise<void> => {
    const next = new pg.Client({ connectionString });
    next.on("notification", (message) => {
      if (message.channel === channel) onNotify();
    });
    next.on("error", (error) => {
      log?.warn({ err: error, channel }, "the database notification connection failed; connecting again");
      void next.end().catch(() => undefined);
      if (client === next) client = undefined;
      schedule();
    });
    await next.connect();
    // Identifiers cannot be bound as parameters; the channel is ours, quoted anyway.
    await next.query(`LISTEN "${channel.replace(/"/g, '""')}"`);
    if (closed) {
      await next.end();
      return;
    }
    client = next;
    attempt = 0;
    onNotify();
  };

  const schedule = (): void => {
    if (closed || timer) return;
    const wait = RECONNECT_MS[Math.min(attempt++, RECONNECT_MS.length - 1)]!;
    timer = setTimeout(() => {
      timer = undefined;
      connect().catch((error: unknown) => {
        log?.warn({ err: error, channel }, "could not listen for database notifications; trying again");
        schedule();
      });
    }, wait);
    timer.unref();
  };

  await connect();
  return {
    close: async () => {
      closed = true;
      if (timer) clearTimeout(timer);
      await client?.end().catch(() => undefined);
      client = undefined;
    },
  };
}
