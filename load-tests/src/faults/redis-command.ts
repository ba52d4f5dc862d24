import { connect } from 'node:net';

/**
 * Sends one command to Redis (or a Sentinel) and returns its reply. The load
 * tests have no Redis client, and the faults need a handful of commands
 * (`CLIENT PAUSE`, `SENTINEL get-master-addr-by-name`, `ROLE`), so this
 * speaks RESP directly rather than adding a dependency for them. Replies are
 * read whole: a simple or bulk string as a string, an integer as a number, a
 * nil as null, an array as an array; an error reply is thrown with Redis's
 * own message.
 */
export type RespReply = string | number | null | RespReply[];

class RespError extends Error {}

/** Parses one reply at `offset`; undefined while the buffer does not hold all of it yet. */
export function parseReply(
  buffer: Buffer,
  offset = 0,
): { reply: RespReply | RespError; end: number } | undefined {
  const lineEnd = buffer.indexOf('\r\n', offset);
  if (lineEnd < 0) return undefined;
  const type = String.fromCharCode(buffer[offset] as number);
  const line = buffer.toString('utf8', offset + 1, lineEnd);
  const next = lineEnd + 2;
  switch (type) {
    case '+':
      return { reply: line, end: next };
    case '-':
      return { reply: new RespError(line), end: next };
    case ':':
      return { reply: Number(line), end: next };
    case '$': {
      const length = Number(line);
      if (length < 0) return { reply: null, end: next };
      if (buffer.length < next + length + 2) return undefined;
      return { reply: buffer.toString('utf8', next, next + length), end: next + length + 2 };
    }
    case '*': {
      const count = Number(line);
      if (count < 0) return { reply: null, end: next };
      const items: RespReply[] = [];
      let at = next;
      for (let i = 0; i < count; i++) {
        const item = parseReply(buffer, at);
        if (!item) return undefined;
        // An error inside an array (EXEC) is kept as its message: the caller reads the array.
        items.push(item.reply instanceof RespError ? `ERR ${item.reply.message}` : item.reply);
        at = item.end;
      }
      return { reply: items, end: at };
    }
    default:
      throw new Error(
        `not a RESP reply: "${buffer.toString('utf8', offset, Math.min(lineEnd, offset + 40))}"`,
      );
  }
}

const encode = (frame: readonly string[]) =>
  `*${frame.length}\r\n${frame.map((a) => `$${Buffer.byteLength(a)}\r\n${a}\r\n`).join('')}`;

/** One command to `redis://[user:password@]host:port`; resolves with its reply. */
export async function redisCommand(
  url: string,
  args: readonly string[],
  timeoutMs = 5000,
): Promise<RespReply> {
  const parsed = new URL(url);
  if (parsed.protocol !== 'redis:') throw new Error(`REDIS_URL must be redis://host:port, got ${url}`);
  const frames = [
    ...(parsed.password
      ? [['AUTH', ...(parsed.username ? [parsed.username] : []), decodeURIComponent(parsed.password)]]
      : []),
    [...args],
  ];
  return new Promise<RespReply>((resolve, reject) => {
    const socket = connect({ host: parsed.hostname, port: Number(parsed.port || 6379) });
    let buffered = Buffer.alloc(0);
    const finish = (error?: Error, reply?: RespReply) => {
      clearTimeout(timer);
      socket.destroy();
      if (error) reject(error);
      else resolve(reply as RespReply);
    };
    const timer = setTimeout(
      () => finish(new Error(`Redis at ${parsed.host} did not answer within ${timeoutMs} ms`)),
      timeoutMs,
    );
    socket.on('connect', () => socket.write(frames.map(encode).join('')));
    socket.on('error', (error) =>
      finish(new Error(`cannot reach Redis at ${parsed.host}: ${error.message}`)),
    );
    socket.on('data', (chunk) => {
      buffered = Buffer.concat([buffered, chunk]);
      let offset = 0;
      const replies: Array<RespReply | RespError> = [];
      try {
        for (let i = 0; i < frames.length; i++) {
          const item = parseReply(buffered, offset);
          if (!item) break;
          replies.push(item.reply);
          offset = item.end;
        }
      } catch (error) {
        return finish(error as Error);
      }
      const refused = replies.find((reply) => reply instanceof RespError);
      if (refused) return finish(new Error(`Redis refused ${args[0]}: ${refused.message}`));
      if (replies.length === frames.length) finish(undefined, replies.at(-1) as RespReply);
    });
  });
}
