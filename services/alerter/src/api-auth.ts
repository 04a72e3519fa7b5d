import { timingSafeEqual } from 'node:crypto';
import type { FastifyReply, FastifyRequest } from 'fastify';

/**
 * Bearer-token check for every `/api/` route. Without a configured token the API refuses everything
 * (a state-changing API is never open by default). Compared in constant time; never logged.
 */
export function bearerAuth(token: string | undefined) {
  const expected = token === undefined ? undefined : Buffer.from(token);
  return async (request: FastifyRequest, reply: FastifyReply): Promise<void> => {
    if (!request.url.startsWith('/api/')) return;
    if (expected === undefined) {
      await reply.code(401).send({ error: 'the API is disabled: set WIREWATCH_API_TOKEN (or WIREWATCH_API_TOKEN_FILE)' });
      return;
    }
    const header = request.headers.authorization ?? '';
    const given = Buffer.from(header.startsWith('Bearer ') ? header.slice(7) : '');
    if (given.length !== expected.length || !timingSafeEqual(given, expected)) {
      await reply.code(401).header('www-authenticate', 'Bearer').send({ error: 'missing or wrong bearer token' });
    }
  };
}
