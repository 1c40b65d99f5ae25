import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { simpleParser } from 'mailparser';
import { SMTPServer, type SMTPServerOptions } from 'smtp-server';

export interface ReceivedMail {
  raw: string;
  to: string[];
  messageId: string;
  subject: string;
  text: string;
  html: string;
}

/** What the server answers to a message's DATA: accept, reject with an SMTP reply, or never answer. */
export type DataReply = { kind: 'accept' } | { kind: 'reject'; code: number; message: string } | { kind: 'hold' };

export interface TestSmtpServer {
  port: number;
  /**
   * Messages the server accepted (answered 250), verification mails aside: every registration
   * sends one, and tests of other mail would otherwise have to step around them.
   */
  accepted: ReceivedMail[];
  /** Every DATA the server received, whatever it answered, verification mails aside. */
  received: number;
  /** Verification mails (a /verify-email link), always accepted; `reply` is not asked about them. */
  verifications: ReceivedMail[];
  reply: (mail: ReceivedMail) => DataReply;
  /** Called right after a message was accepted. */
  onAccepted?: (mail: ReceivedMail) => void;
  waitForAccepted(count: number, timeoutMs?: number): Promise<ReceivedMail[]>;
  close(): Promise<void>;
}

export interface StartSmtpOptions {
  port?: number;
  /** Implicit TLS (port 465 style). */
  isSecure?: boolean;
  /** Offer STARTTLS with this certificate; without it STARTTLS is disabled. */
  tls?: { key: string; cert: string };
  /** Require AUTH with these credentials. */
  auth?: { user: string; pass: string };
}

/** A real SMTP server (the smtp-server package) on loopback that records what it receives. */
export async function startSmtpServer(options: StartSmtpOptions = {}): Promise<TestSmtpServer> {
  const state: TestSmtpServer = {
    port: 0,
    accepted: [],
    received: 0,
    verifications: [],
    reply: () => ({ kind: 'accept' }),
    async waitForAccepted(count, timeoutMs = 15_000) {
      const deadline = Date.now() + timeoutMs;
      while (state.accepted.length < count) {
        if (Date.now() > deadline) throw new Error(`expected ${count} accepted mails, got ${state.accepted.length}`);
        await new Promise((r) => setTimeout(r, 25));
      }
      return state.accepted;
    },
    close: async () => undefined,
  };
  const serverOptions: SMTPServerOptions = {
    secure: options.isSecure ?? false,
    key: options.tls?.key,
    cert: options.tls?.cert,
    disabledCommands: [...(options.tls ? [] : ['STARTTLS']), ...(options.auth ? [] : ['AUTH'])],
    authOptional: !options.auth,
    logger: false,
    onAuth(auth, _session, callback) {
      if (auth.username === options.auth?.user && auth.password === options.auth?.pass) callback(null, { user: auth.username });
      else callback(Object.assign(new Error('Invalid username or password'), { responseCode: 535 }));
    },
    onData(stream, session, callback) {
      const chunks: Buffer[] = [];
      stream.on('data', (c: Buffer) => chunks.push(c));
      stream.on('end', async () => {
        const raw = Buffer.concat(chunks).toString('utf8');
        const parsed = await simpleParser(raw);
        const mail: ReceivedMail = {
          raw,
          to: session.envelope.rcptTo.map((r) => r.address),
          messageId: parsed.messageId ?? '',
          subject: parsed.subject ?? '',
          text: parsed.text ?? '',
          html: typeof parsed.html === 'string' ? parsed.html : '',
        };
        if (isVerificationMail(mail.text)) {
          callback(null, 'queued as test');
          state.verifications.push(mail);
          return;
        }
        state.received++;
        const reply = state.reply(mail);
        if (reply.kind === 'hold') return;
        if (reply.kind === 'reject') {
          callback(Object.assign(new Error(reply.message), { responseCode: reply.code }));
          return;
        }
        callback(null, 'queued as test');
        state.accepted.push(mail);
        state.onAccepted?.(mail);
      });
    },
  };
  const server = new SMTPServer(serverOptions);
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, '127.0.0.1', () => resolve());
  });
  server.on('error', () => undefined);
  state.port = (server.server.address() as { port: number }).port;
  state.close = () => new Promise<void>((resolve) => server.close(() => resolve()));
  return state;
}

/** The sender address the tests' apps are configured with. */
export const TEST_FROM_EMAIL = 'no-reply@todo.example.test';

/** The settings of an app that sends its mail through a plain (no TLS, no AUTH) SMTP server on loopback at `port`. */
export function smtpEnv(port: number): Record<string, string> {
  return { SMTP_HOST: '127.0.0.1', SMTP_PORT: String(port), SMTP_USE_TLS: 'false', SMTP_FROM_EMAIL: TEST_FROM_EMAIL };
}

/** Whether a mail is a verification mail (the link to the web app's /verify-email page). */
export function isVerificationMail(text: string): boolean {
  return /\/verify-email\?token=/.test(text);
}

/** The verification token in a mail's text. */
export function verificationTokenFrom(text: string): string {
  const match = /verify-email\?token=([A-Za-z0-9_-]+)/.exec(text);
  if (!match) throw new Error(`no verification link in mail:\n${text}`);
  return match[1]!;
}

let certificate: { key: string; cert: string; certPath: string } | undefined;

/** A self-signed certificate for 127.0.0.1, made once per test process with openssl. */
export function selfSignedCertificate() {
  if (certificate) return certificate;
  const dir = mkdtempSync(join(tmpdir(), 'smtp-cert-'));
  execFileSync('openssl', [
    'req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-days', '1', '-subj', '/CN=127.0.0.1',
    '-addext', 'subjectAltName=IP:127.0.0.1,DNS:localhost',
    '-keyout', join(dir, 'key.pem'), '-out', join(dir, 'cert.pem'),
  ], { stdio: 'ignore' });
  certificate = {
    key: readFileSync(join(dir, 'key.pem'), 'utf8'),
    cert: readFileSync(join(dir, 'cert.pem'), 'utf8'),
    certPath: join(dir, 'cert.pem'),
  };
  return certificate;
}

/** The reset token in a received mail's link. */
export function tokenFromMail(mail: ReceivedMail): string {
  const match = /reset-password\?token=([A-Za-z0-9_-]+)/.exec(mail.text);
  if (!match) throw new Error(`no reset link in mail:\n${mail.text}`);
  return match[1]!;
}
