import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import type { FastifyReply, FastifyRequest } from 'fastify';

/** Route `config` of a route anyone may call without a token: `app.get(url, { config: PUBLIC_ROUTE }, ...)`. */
export const PUBLIC_ROUTE = { public: true } as const;

export interface RouteAuthOptions {
  /** The bearer token every non-public route needs; unset: only the public routes answer. */
  token: string | undefined;
  /** Said in the 401 when no token is configured, e.g. which setting enables the API. */
  noTokenHint?: string;
}

/** RFC 7235: the scheme is case-insensitive; one or more spaces before the token. */
const BEARER = /^bearer +(.+)$/i;

/**
 * An `onRequest` hook that denies by default. It looks at the route fastify actually matched (after
 * its own percent-decoding), never at the raw URL, so no spelling of a path reaches a handler that
 * the check did not see: a matched route runs only when it is marked public or the token is right;
 * an unmatched path goes to the 404 handler, which runs no route. Runs before the body is parsed.
 */
export function denyByDefault(options: RouteAuthOptions) {
  // Both sides are compared as HMACs under a per-process key: equal lengths whatever was sent, so
  // neither the comparison time nor an early length check says anything about the token.
  const key = randomBytes(32);
  const digest = (value: string): Buffer => createHmac('sha256', key).update(value).digest();
  const expected = options.token === undefined ? undefined : digest(options.token);
  return async (request: FastifyRequest, reply: FastifyReply): Promise<void> => {
    if (request.is404) return;
    if ((request.routeOptions.config as { public?: unknown }).public === true) return;
    if (expected === undefined) {
      await reply
        .code(401)
        .send({ error: options.noTokenHint ?? 'this route needs a bearer token, and none is configured' });
      return;
    }
    const given = BEARER.exec(request.headers.authorization ?? '')?.[1];
    if (given === undefined || !timingSafeEqual(digest(given), expected)) {
      await reply.code(401).header('www-authenticate', 'Bearer').send({ error: 'missing or wrong bearer token' });
    }
  };
}
