import { connect } from 'node:net';

/**
 * Sends one command to Redis and returns its first reply line. The load
 * tests have no Redis client, and the drill needs exactly one command
 * (`CLIENT PAUSE`), so it speaks RESP directly rather than adding a
 * dependency for it. Only simple replies are read (`+OK`, `-ERR ...`,
 * `:1`); an error reply is thrown with Redis's own message.
 */
export async function redisCommand(url: string, args: readonly string[], timeoutMs = 5000): Promise<string> {
  const parsed = new URL(url);
  if (parsed.protocol !== 'redis:') throw new Error(`REDIS_URL must be redis://host:port, got ${url}`);
  const frames = [
    ...(parsed.password
      ? [['AUTH', ...(parsed.username ? [parsed.username] : []), decodeURIComponent(parsed.password)]]
      : []),
    [...args],
  ];
  const encoded = frames
    .map(
      (frame) => `*${frame.length}\r\n${frame.map((a) => `$${Buffer.byteLength(a)}\r\n${a}\r\n`).join('')}`,
    )
    .join('');
  return new Promise<string>((resolve, reject) => {
    const socket = connect({ host: parsed.hostname, port: Number(parsed.port || 6379) });
    let buffered = '';
    let replies: string[] = [];
    const finish = (error?: Error, reply?: string) => {
      clearTimeout(timer);
      socket.destroy();
      if (error) reject(error);
      else resolve(reply as string);
    };
    const timer = setTimeout(
      () => finish(new Error(`Redis at ${parsed.host} did not answer within ${timeoutMs} ms`)),
      timeoutMs,
    );
    socket.on('connect', () => socket.write(encoded));
    socket.on('error', (error) =>
      finish(new Error(`cannot reach Redis at ${parsed.host}: ${error.message}`)),
    );
    socket.on('data', (chunk) => {
      buffered += chunk.toString('utf8');
      const lines = buffered.split('\r\n');
      buffered = lines.pop() ?? '';
      replies = [...replies, ...lines];
      for (const line of replies.slice(0, frames.length)) {
        if (line.startsWith('-')) return finish(new Error(`Redis refused ${args[0]}: ${line.slice(1)}`));
      }
      if (replies.length >= frames.length) finish(undefined, replies[frames.length - 1]);
    });
  });
}
