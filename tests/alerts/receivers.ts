import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { SMTPServer } from 'smtp-server';
import { verifyWebhookSignature } from '../../packages/notify/src/index.js';

export interface ReceivedHook {
  body: { state: string; rule: string; dedupKey: string; labels: Record<string, string>; summary: string };
  signatureValid: boolean;
}

/** A webhook endpoint that records every request and checks its signature. */
export async function startWebhookReceiver(secret: string): Promise<{ url: string; received: ReceivedHook[]; close: () => Promise<void> }> {
  const received: ReceivedHook[] = [];
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const raw = Buffer.concat(chunks);
      const check = verifyWebhookSignature(raw, req.headers, secret);
      received.push({ body: JSON.parse(raw.toString('utf8')), signatureValid: check.valid });
      res.writeHead(204).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return { url: `http://127.0.0.1:${port}/hook`, received, close: () => new Promise((r) => server.close(() => r())) };
}

export interface ReceivedMail {
  from: string;
  to: string[];
  raw: string;
  subject: string;
}

/** An SMTP server (nodemailer's own smtp-server) that keeps every message it is given. */
export async function startMailCatcher(): Promise<{ port: number; mails: ReceivedMail[]; close: () => Promise<void> }> {
  const mails: ReceivedMail[] = [];
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS'],
    logger: false,
    onData(stream, session, callback) {
      const chunks: Buffer[] = [];
      stream.on('data', (c: Buffer) => chunks.push(c));
      stream.on('end', () => {
        const raw = Buffer.concat(chunks).toString('utf8');
        const subject = /^Subject: (.*(?:\r?\n[ \t].*)*)/m.exec(raw)?.[1].replace(/\r?\n[ \t]/g, ' ') ?? '';
        mails.push({
          from: session.envelope.mailFrom ? session.envelope.mailFrom.address : '',
          to: session.envelope.rcptTo.map((r) => r.address),
          raw,
          subject,
        });
        callback();
      });
    },
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.server.address() as AddressInfo;
  return { port, mails, close: () => new Promise((r) => server.close(() => r())) };
}
