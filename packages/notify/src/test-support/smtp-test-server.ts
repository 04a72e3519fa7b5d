import type { AddressInfo } from 'node:net';
import { SMTPServer } from 'smtp-server';

export interface ReceivedMail {
  raw: string;
  from: string;
  to: string[];
  user: string | undefined;
  /** The session was encrypted (STARTTLS done) when the message came. */
  secure: boolean;
}

export interface AuthAttempt {
  method: string;
  username: string;
  accepted: boolean;
  secure: boolean;
}

export interface SmtpTestServerOptions {
  users: Record<string, string>;
  authMethods?: string[];
  /** Offers STARTTLS with this certificate and refuses AUTH before it; without it STARTTLS is disabled. */
  tls?: { key: Buffer; cert: Buffer };
  /** SMTP replies for the first DATA commands, in order (e.g. a 451); later ones are accepted. */
  rejectData?: { responseCode: number; message: string }[];
}

export interface SmtpTestServer {
  port: number;
  messages: ReceivedMail[];
  authAttempts: AuthAttempt[];
  /** DATA commands seen, accepted or not. */
  dataCommands: number;
  close(): Promise<void>;
}

/** A real SMTP server (smtp-server) on a free loopback port that requires AUTH and keeps what it receives. */
export async function startSmtpTestServer(options: SmtpTestServerOptions): Promise<SmtpTestServer> {
  const rejections = [...(options.rejectData ?? [])];
  const state: SmtpTestServer = {
    port: 0,
    messages: [],
    authAttempts: [],
    dataCommands: 0,
    close: () => Promise.resolve(),
  };
  const server = new SMTPServer({
    logger: false,
    authMethods: options.authMethods ?? ['PLAIN', 'LOGIN'],
    authOptional: false,
    allowInsecureAuth: options.tls === undefined,
    disabledCommands: options.tls === undefined ? ['STARTTLS'] : [],
    ...(options.tls ? { key: options.tls.key, cert: options.tls.cert } : {}),
    onAuth(auth, session, callback) {
      const accepted = auth.username !== undefined && options.users[auth.username] === auth.password;
      state.authAttempts.push({ method: auth.method, username: auth.username ?? '', accepted, secure: session.secure });
      if (!accepted)
        return callback(Object.assign(new Error('Authentication credentials invalid'), { responseCode: 535 }));
      callback(null, { user: auth.username });
    },
    onData(stream, session, callback) {
      const chunks: Buffer[] = [];
      stream.on('data', (chunk: Buffer) => chunks.push(chunk));
      stream.on('end', () => {
        state.dataCommands += 1;
        const rejection = rejections.shift();
        if (rejection)
          return callback(Object.assign(new Error(rejection.message), { responseCode: rejection.responseCode }));
        state.messages.push({
          raw: Buffer.concat(chunks).toString('utf8'),
          from: session.envelope.mailFrom ? session.envelope.mailFrom.address : '',
          to: session.envelope.rcptTo.map((recipient) => recipient.address),
          user: typeof session.user === 'string' ? session.user : undefined,
          secure: session.secure,
        });
        callback(null, 'queued');
      });
    },
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  state.port = (server.server.address() as AddressInfo).port;
  state.close = () => new Promise<void>((resolve) => server.close(() => resolve()));
  return state;
}
