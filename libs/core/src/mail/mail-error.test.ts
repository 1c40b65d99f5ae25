import { describe, expect, it } from 'vitest';
import { httpMailError, mailRetryDelayMs, parseRetryAfter } from './mail-error.js';
import { classifySmtpError } from './transports/smtp.transport.js';

describe('parseRetryAfter', () => {
  it('reads seconds and HTTP dates, caps at an hour, ignores junk', () => {
    const now = Date.parse('2026-01-01T00:00:00Z');
    expect(parseRetryAfter('7', now)).toBe(7_000);
    expect(parseRetryAfter(' 0 ', now)).toBe(0);
    expect(parseRetryAfter('Thu, 01 Jan 2026 00:00:30 GMT', now)).toBe(30_000);
    expect(parseRetryAfter('999999', now)).toBe(3_600_000);
    for (const junk of [undefined, null, '', 'soon', '-5', 'Wed, 31 Dec 2025 23:00:00 GMT']) expect(parseRetryAfter(junk, now)).toBeUndefined();
  });
});

describe('httpMailError', () => {
  it.each([
    [400, true, 'rejected'],
    [401, true, 'auth_failed'],
    [403, true, 'forbidden'],
    [404, true, 'rejected'],
    [422, true, 'rejected'],
    [429, false, undefined],
    [500, false, undefined],
    [502, false, undefined],
    [503, false, undefined],
  ])('%i: permanent %s, reason %s', (status, isPermanent, reason) => {
    const error = httpMailError('resend', { status, providerCode: 'some_code', retryAfter: '3' });
    expect(error.isPermanent).toBe(isPermanent);
    expect(error.reason).toBe(reason);
    expect(error.code).toBe(`${status} some_code`);
    expect(error.retryAfterMs).toBe(isPermanent ? undefined : 3_000);
  });
});

describe('mailRetryDelayMs', () => {
  it('is exponential, but never sooner than Retry-After', () => {
    expect([1, 2, 3, 4].map((n) => mailRetryDelayMs(n, 100, new Error('x')))).toEqual([100, 200, 400, 800]);
    expect(mailRetryDelayMs(1, 100, { retryAfterMs: 2_000 })).toBe(2_000);
    expect(mailRetryDelayMs(6, 100, { retryAfterMs: 2_000 })).toBe(3_200);
  });
});

describe('classifySmtpError', () => {
  it('tells a server that cannot be reached from one this configuration cannot use', () => {
    expect(classifySmtpError({ code: 'ECONNECTION', message: 'connect ECONNREFUSED' })).toMatchObject({ isUnreachable: true, isPermanent: false, reason: undefined });
    expect(classifySmtpError({ code: 'EAUTH', responseCode: 535, response: '535 Invalid login' })).toMatchObject({ isUnreachable: false, isPermanent: true, reason: 'auth_failed' });
    expect(classifySmtpError({ code: 'ETLS', command: 'STARTTLS', responseCode: 502, response: '502 no' })).toMatchObject({ reason: 'starttls_unavailable' });
    expect(classifySmtpError({ code: 'EENVELOPE', responseCode: 451, response: '451 try later' })).toMatchObject({ isUnreachable: false, isPermanent: false, reason: undefined });
    expect(classifySmtpError({ code: 'EENVELOPE', responseCode: 550, response: '550 no such user bob@example.com' }).message).not.toContain('bob@example.com');
  });
});
