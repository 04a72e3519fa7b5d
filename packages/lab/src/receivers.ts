import { createServer, type Server } from 'node:http';
import type { AddressInfo, Server as NetServer } from 'node:net';
import { SMTPServer } from 'smtp-server';
import { verifyWebhookSignature } from '@wirewatch/notify';

export interface ReceivedHook {
  body: { state: string; rule: string; dedupKey: string; labels: Record<string, string>; summary: string };
  signatureValid: boolean;
}

export interface ReceiverOptions<T> {
  /** Default 0: any free port. */
  port?: number;
  host?: string;
  /** Called for each one received. */
  onReceive?: (item: T) => void;
  /** Keep every one received in the handle's list (default true; a long-running lab says false). */
  keep?: boolean;
}

function listen(server: NetServer, port: number, host: string): Promise<number> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve((server.address() as AddressInfo).port);
    });
  });
}

/** A webhook endpoint that records every request and checks its signature. */
export async function startWebhookReceiver(
  secret: string,
  { port = 0, host = '127.0.0.1', onReceive, keep = true }: ReceiverOptions<ReceivedHook> = {},
): Promise<{ url: string; port: number; received: ReceivedHook[]; close: () => Promise<void> }> {
  const received: ReceivedHook[] = [];
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const raw = Buffer.concat(chunks);
      let body: ReceivedHook['body'];
      try {
        body = JSON.parse(raw.toString('utf8')) as ReceivedHook['body'];
      } catch {
        res.writeHead(400).end();
        return;
      }
      const hook = { body, signatureValid: verifyWebhookSignature(raw, req.headers, secret).valid };
      if (keep) received.push(hook);
      onReceive?.(hook);
      res.writeHead(204).end();
    });
  });
  const bound = await listen(server, port, host);
  const close = () =>
    new Promise<void>((resolve) => {
      server.close(() => resolve());
      server.closeAllConnections();
    });
  return { url: `http://${host}:${bound}/hook`, port: bound, received, close };
}

export interface ReceivedMail {
  from: string;
  to: string[];
  raw: string;
  subject: string;
}

/** An SMTP server (nodemailer's own smtp-server) that keeps every message it is given. */
export async function startMailCatcher({
  port = 0,
  host = '127.0.0.1',
  onReceive,
  keep = true,
}: ReceiverOptions<ReceivedMail> = {}): Promise<{ port: number; mails: ReceivedMail[]; close: () => Promise<void> }> {
  const mails: ReceivedMail[] = [];
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS'],
    logger: false,
    closeTimeout: 2_000,
    onData(stream, session, callback) {
      const chunks: Buffer[] = [];
      stream.on('data', (c: Buffer) => chunks.push(c));
      stream.on('end', () => {
        const raw = Buffer.concat(chunks).toString('utf8');
        const subject = /^Subject: (.*(?:\r?\n[ \t].*)*)/m.exec(raw)?.[1].replace(/\r?\n[ \t]/g, ' ') ?? '';
        const mail = {
          from: session.envelope.mailFrom ? session.envelope.mailFrom.address : '',
          to: session.envelope.rcptTo.map((r) => r.address),
          raw,
          subject,
        };
        if (keep) mails.push(mail);
        onReceive?.(mail);
        callback();
      });
    },
  });
  const bound = await listen(server.server, port, host);
  return { port: bound, mails, close: () => new Promise((r) => server.close(() => r())) };
}
