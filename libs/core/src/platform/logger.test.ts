import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { createLogger, maskEmail } from './logger.js';

/** A logger writing into memory; `lines()` parses what was written so far. */
function capture(level: 'info' | 'debug' | 'warn' = 'info') {
  const raw: string[] = [];
  const destination = new Writable({
    write(chunk, _encoding, callback) {
      raw.push(...String(chunk).split('\n').filter(Boolean));
      callback();
    },
  });
  const logger = createLogger({ level, name: 'unit', destination });
  return {
    logger,
    raw,
    lines: () => raw.map((line) => JSON.parse(line) as Record<string, any>),
  };
}

const SECRET_KEYS = ['password', 'new_password', 'token', 'access_token', 'refresh_token', 'apiKey', 'authorization'] as const;

/** A distinct, recognisable value per key, so a leak names the key it came from. */
const secretValue = (key: string) => `VALUE-OF-${key}-${key.length}x9`;

describe('createLogger', () => {
  it('writes one JSON line per call to the destination stream, with name, pid and message', () => {
    const { logger, lines } = capture();
    logger.info({ task_id: 7 }, 'task created');
    logger.debug('below the level');
    const written = lines();
    expect(written).toHaveLength(1);
    expect(written[0]).toMatchObject({ name: 'unit', pid: process.pid, msg: 'task created', task_id: 7 });
  });

  it('the level is a label, not a number, and the time is ISO-8601', () => {
    const { logger, lines } = capture('debug');
    const before = Date.now();
    logger.info('one');
    logger.warn('two');
    logger.debug('three');
    const after = Date.now();
    expect(lines().map((l) => l.level)).toEqual(['info', 'warn', 'debug']);
    for (const line of lines()) {
      expect(line.time).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/);
      const time = Date.parse(line.time);
      expect(time).toBeGreaterThanOrEqual(before - 1);
      expect(time).toBeLessThanOrEqual(after + 1);
    }
  });

  it('child loggers keep the redaction', () => {
    const { logger, raw, lines } = capture();
    logger.child({ request_id: 'abc' }).info({ password: secretValue('password') }, 'child');
    expect(lines()[0]).toMatchObject({ request_id: 'abc', password: '[REDACTED]' });
    expect(raw.join('\n')).not.toContain(secretValue('password'));
  });
});

describe('redaction', () => {
  it.each(SECRET_KEYS)('top-level %s is [REDACTED]', (key) => {
    const { logger, raw, lines } = capture();
    logger.info({ [key]: secretValue(key), keep: 'visible' }, 'top level');
    expect(lines()[0]![key]).toBe('[REDACTED]');
    expect(lines()[0]!.keep).toBe('visible');
    expect(raw.join('\n')).not.toContain(secretValue(key));
  });

  it.each(SECRET_KEYS)('%s one level down is [REDACTED]', (key) => {
    const { logger, raw, lines } = capture();
    logger.info({ body: { [key]: secretValue(key), title: 'Buy milk' } }, 'nested');
    expect(lines()[0]!.body).toEqual({ [key]: '[REDACTED]', title: 'Buy milk' });
    expect(raw.join('\n')).not.toContain(secretValue(key));
  });

  it('every secret at once, top level and nested, leaks none of its values', () => {
    const { logger, raw } = capture();
    const secrets = Object.fromEntries(SECRET_KEYS.map((key) => [key, secretValue(key)]));
    logger.info({ ...secrets, nested: { ...secrets } }, 'all of them');
    logger.warn({ request: secrets }, 'warned');
    const text = raw.join('\n');
    expect(raw).toHaveLength(2);
    for (const key of SECRET_KEYS) expect(text).not.toContain(secretValue(key));
    expect(text.match(/\[REDACTED\]/g)).toHaveLength(SECRET_KEYS.length * 3);
  });

  it('an Authorization header logged under req.headers is redacted', () => {
    const { logger, raw, lines } = capture();
    logger.info({ req: { headers: { authorization: 'Bearer eyJhbGciOi.secret.sig', host: 'api' } } }, 'request');
    expect(lines()[0]!.req.headers).toEqual({ authorization: '[REDACTED]', host: 'api' });
    expect(raw.join('\n')).not.toContain('eyJhbGciOi');
  });

  it('the logged object itself is not modified', () => {
    const { logger } = capture();
    const payload = { password: 'still-here', user: { email: 'alice@example.com' } };
    logger.info(payload, 'no mutation');
    expect(payload).toEqual({ password: 'still-here', user: { email: 'alice@example.com' } });
  });
});

describe('email masking', () => {
  it('an email is logged as a***@example.com, top level and one level down', () => {
    const { logger, raw, lines } = capture();
    logger.info({ email: 'alice@example.com', user: { email: 'bob.smith@example.org', name: 'Bob' } }, 'emails');
    expect(lines()[0]).toMatchObject({ email: 'a***@example.com', user: { email: 'b***@example.org', name: 'Bob' } });
    const text = raw.join('\n');
    expect(text).not.toContain('alice@');
    expect(text).not.toContain('bob.smith');
  });

  it('maskEmail keeps the first character and the domain only', () => {
    expect(maskEmail('alice@example.com')).toBe('a***@example.com');
    expect(maskEmail('Bob.Smith+todo@mail.example.org')).toBe('B***@mail.example.org');
  });

  it('maskEmail edge cases', () => {
    expect(maskEmail('a@example.com')).toBe('a***@example.com'); // one-letter local part
    expect(maskEmail('"odd@local"@example.com')).toBe('"***@example.com'); // the last @ separates the domain
    expect(maskEmail('not-an-email')).toBe('***');
    expect(maskEmail('@example.com')).toBe('***'); // no local part
    expect(maskEmail('')).toBe('***');
  });
});
