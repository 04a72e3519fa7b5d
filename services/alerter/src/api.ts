import swagger from '@fastify/swagger';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { PUBLIC_ROUTE, type ServiceApp } from '@wirewatch/service';
import { parseRuleSet, parseDuration, RULE_UPLOAD_LIMITS } from '@wirewatch/rules';
import { randomBytes } from 'node:crypto';
import type { Alerter } from './alerter.js';

const error = { type: 'object', properties: { error: { type: 'string' } }, required: ['error'] } as const;
// No maxLength here: the YAML's size is checked with its other limits, answered 422 with the reason.
const rulesBody = {
  type: 'object',
  properties: { yaml: { type: 'string', minLength: 1 } },
  required: ['yaml'],
  additionalProperties: false,
} as const;
/** A request body of rules: the largest YAML allowed (RULE_UPLOAD_LIMITS), even if JSON escaping doubled it, and no more (413). */
const RULES_BODY_LIMIT = 2 * (RULE_UPLOAD_LIMITS.maxBytes ?? 0) + 1024;
const rulesResult = {
  type: 'object',
  properties: {
    ok: { type: 'boolean' },
    rules: { type: 'integer' },
    errors: { type: 'array', items: { type: 'string' } },
  },
  required: ['ok'],
} as const;
const silenceBody = {
  type: 'object',
  properties: {
    matchers: {
      type: 'array',
      minItems: 1,
      items: {
        type: 'object',
        properties: { label: { type: 'string', minLength: 1 }, value: { type: 'string' } },
        required: ['label', 'value'],
        additionalProperties: false,
      },
    },
    duration: { type: 'string', description: 'how long, e.g. "2h" (or give expiresAt)' },
    expiresAt: { type: 'string', format: 'date-time' },
    comment: { type: 'string', maxLength: 1024 },
  },
  required: ['matchers', 'comment'],
  additionalProperties: false,
} as const;
const anyArray = { type: 'array', items: { type: 'object', additionalProperties: true } } as const;
const secured = [{ bearer: [] }];

/**
 * The alerter's HTTP API under `/api/` (the service kit asks for the bearer token on every route but
 * the public probes, metrics and `/openapi.json`): rules (list, validate, replace
 * with hot reload), firing alerts and history, silences. The OpenAPI document is at `/openapi.json`.
 */
export async function registerApi(app: ServiceApp, alerter: Alerter): Promise<void> {
  await app.register(swagger, {
    openapi: {
      info: { title: 'wirewatch alerter API', version: '1' },
      components: { securitySchemes: { bearer: { type: 'http', scheme: 'bearer' } } },
    },
  });
  app.get('/openapi.json', { config: PUBLIC_ROUTE, schema: { hide: true } }, () => app.swagger());

  const activeOnly = async (_request: FastifyRequest, reply: FastifyReply): Promise<void> => {
    if (!alerter.active)
      await reply.code(503).send({ error: 'this replica is not the active alerter (or is still starting)' });
  };

  app.get(
    '/api/rules',
    {
      schema: {
        security: secured,
        response: {
          200: {
            type: 'object',
            properties: { source: { type: 'string' }, yaml: { type: 'string' }, rules: anyArray },
          },
        },
      },
    },
    () => ({
      source: alerter.ruleSet.source,
      yaml: alerter.rulesYaml,
      rules: alerter.ruleSet.rules,
    }),
  );

  app.post(
    '/api/rules/validate',
    {
      bodyLimit: RULES_BODY_LIMIT,
      schema: { security: secured, body: rulesBody, response: { 200: rulesResult, 422: rulesResult } },
    },
    async (request, reply) => {
      const parsed = parseRuleSet((request.body as { yaml: string }).yaml, 'request', RULE_UPLOAD_LIMITS);
      if (!parsed.ok) return reply.code(422).send({ ok: false, errors: parsed.errors });
      return { ok: true, rules: parsed.ruleSet.rules.length };
    },
  );

  app.put(
    '/api/rules',
    {
      bodyLimit: RULES_BODY_LIMIT,
      preHandler: activeOnly,
      schema: { security: secured, body: rulesBody, response: { 200: rulesResult, 422: rulesResult, 503: error } },
    },
    async (request, reply) => {
      const yaml = (request.body as { yaml: string }).yaml;
      const parsed = parseRuleSet(yaml, 'request', RULE_UPLOAD_LIMITS);
      if (!parsed.ok) return reply.code(422).send({ ok: false, errors: parsed.errors });
      await alerter.replaceRules(parsed.ruleSet, yaml);
      request.log.info({ rules: parsed.ruleSet.rules.length }, 'rules replaced through the API');
      return { ok: true, rules: parsed.ruleSet.rules.length };
    },
  );

  app.get('/api/alerts', { schema: { security: secured, response: { 200: anyArray } } }, () =>
    alerter.engine.activeAlerts(),
  );
  app.get('/api/alerts/history', { schema: { security: secured, response: { 200: anyArray } } }, () => alerter.history);
  app.get('/api/silences', { schema: { security: secured, response: { 200: anyArray } } }, () =>
    alerter.engine.silences(),
  );

  app.post(
    '/api/silences',
    {
      bodyLimit: 16 * 1024,
      preHandler: activeOnly,
      schema: {
        security: secured,
        body: silenceBody,
        response: {
          201: { type: 'object', properties: { id: { type: 'string' }, expiresAt: { type: 'string' } } },
          400: error,
          503: error,
        },
      },
    },
    async (request, reply) => {
      const body = request.body as {
        matchers: { label: string; value: string }[];
        duration?: string;
        expiresAt?: string;
        comment: string;
      };
      let expiresAt: number;
      if (body.expiresAt !== undefined) expiresAt = Date.parse(body.expiresAt);
      else if (body.duration !== undefined) {
        const ms = parseDuration(body.duration);
        if (ms === undefined)
          return reply.code(400).send({ error: `duration "${body.duration}": expected e.g. 30m, 2h, 1d` });
        expiresAt = Date.now() + ms;
      } else return reply.code(400).send({ error: 'give duration or expiresAt' });
      if (!(expiresAt > Date.now())) return reply.code(400).send({ error: 'the silence would already have expired' });
      const id = randomBytes(6).toString('hex');
      await alerter.addSilence({ id, matchers: body.matchers, expiresAt, comment: body.comment });
      return reply.code(201).send({ id, expiresAt: new Date(expiresAt).toISOString() });
    },
  );

  app.delete(
    '/api/silences/:id',
    {
      preHandler: activeOnly,
      schema: {
        security: secured,
        params: { type: 'object', properties: { id: { type: 'string' } }, required: ['id'] },
        response: { 204: { type: 'null' }, 404: error, 503: error },
      },
    },
    async (request, reply) => {
      const removed = await alerter.removeSilence((request.params as { id: string }).id);
      return removed ? reply.code(204).send() : reply.code(404).send({ error: 'no such silence' });
    },
  );
}
