import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from './config.js';

/** Everything production demands, valid; tests remove or break one piece at a time. */
const PRODUCTION: Record<string, string> = {
  APP_ENV: 'production',
  JWT_SECRET_KEY: 'p'.repeat(32),
  DATABASE_URL: 'postgres://app:pw@db.example.com:5432/todo?sslmode=require',
  SMTP_HOST: 'smtp.example.com',
  SMTP_FROM_EMAIL: 'no-reply@example.com',
};

/** The ConfigError loadConfig throws for this environment (fails the test if it does not throw one). */
function configError(env: Record<string, string | undefined>): ConfigError {
  try {
    loadConfig(env);
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    return error as ConfigError;
  }
  throw new Error(`loadConfig accepted ${JSON.stringify(env)}`);
}

/** The variable names of the problem lines ("  - NAME: message" or "  - NAME.0: message") of a ConfigError message. */
function reportedVariables(error: ConfigError): string[] {
  return [...error.message.matchAll(/^ {2}- ([A-Z_]+|\(environment\))(?:\.\d+)?:/gm)].map((m) => m[1]!);
}

describe('development defaults', () => {
  it('an empty environment is a working development configuration', () => {
    const config = loadConfig({});
    expect(config.appEnv).toBe('development');
    expect(config.isProduction).toBe(false);
    expect(config.port).toBe(7860);
    expect(config.llm.provider).toBe('builtin');
    expect(config.llm.model).toBe('gpt-4o-mini');
    expect(config.databaseUrl).toBe('postgres://postgres@127.0.0.1:5432/todo_dev');
    expect(config.isDefaultDatabase).toBe(true);
    expect(config.redisUrl).toBe('redis://127.0.0.1:6379');
    expect(config.frontendUrls).toEqual(['http://localhost:7860']);
    expect(config.frameAncestors).toEqual([]);
    expect(config.jwt.algorithm).toBe('HS256');
    expect(config.jwt.expireMinutes).toBe(15);
    expect(config.jwt.secret.length).toBeGreaterThan(0);
    expect(config.smtp).toBeUndefined();
    expect(config.logLevel).toBe('info');
    expect(config.trustProxy).toBe(1);
    expect(config.resetTokenTtlMinutes).toBe(30);
    expect(config.agentMaxSteps).toBe(8);
    expect(config.chatConcurrency).toBe(8);
    expect(config.admin).toEqual({ username: 'admin', password: undefined });
  });

  it('the default frontend origin follows PORT', () => {
    expect(loadConfig({ PORT: '8080' }).frontendUrls).toEqual(['http://localhost:8080']);
  });
});

describe('APP_ENV and ENVIRONMENT', () => {
  it('ENVIRONMENT is accepted in place of APP_ENV', () => {
    expect(loadConfig({ ENVIRONMENT: 'test' }).appEnv).toBe('test');
    const production = loadConfig({ ...PRODUCTION, APP_ENV: undefined, ENVIRONMENT: 'production' });
    expect(production.appEnv).toBe('production');
    expect(production.isProduction).toBe(true);
  });

  it('ENVIRONMENT=production alone makes the production requirements apply', () => {
    const error = configError({ ENVIRONMENT: 'production' });
    expect(reportedVariables(error)).toContain('JWT_SECRET_KEY');
  });

  it('APP_ENV wins when both are set', () => {
    expect(loadConfig({ APP_ENV: 'test', ENVIRONMENT: 'production' }).appEnv).toBe('test');
    expect(loadConfig({ ...PRODUCTION, APP_ENV: 'production', ENVIRONMENT: 'development' }).appEnv).toBe('production');
  });

  it('an unknown environment name is reported', () => {
    expect(reportedVariables(configError({ APP_ENV: 'staging-ish' }))).toEqual(['APP_ENV']);
  });
});

describe('production requirements', () => {
  it('a bare production environment fails with one message listing every problem at once', () => {
    const error = configError({ APP_ENV: 'production' });
    expect(error.name).toBe('ConfigError');
    expect(reportedVariables(error).sort()).toEqual(['DATABASE_URL', 'JWT_SECRET_KEY', 'SMTP_FROM_EMAIL', 'SMTP_HOST']);
    expect(error.message).toMatch(/^Invalid configuration \(4 problems\):\n/);
  });

  it('problems of different kinds are reported together, not one at a time', () => {
    // A value that does not parse (PORT) must not hide the missing production variables.
    const error = configError({ APP_ENV: 'production', PORT: 'abc', LOG_LEVEL: 'loud', SMTP_USE_TLS: 'maybe' });
    expect(reportedVariables(error).sort()).toEqual(
      ['DATABASE_URL', 'JWT_SECRET_KEY', 'LOG_LEVEL', 'PORT', 'SMTP_FROM_EMAIL', 'SMTP_HOST', 'SMTP_USE_TLS'].sort(),
    );
  });

  it('the complete production environment loads', () => {
    const config = loadConfig(PRODUCTION);
    expect(config.isProduction).toBe(true);
    expect(config.isDefaultDatabase).toBe(false);
    expect(config.databaseUrl).toBe(PRODUCTION.DATABASE_URL);
    expect(config.smtp).toMatchObject({ host: 'smtp.example.com', fromEmail: 'no-reply@example.com', port: 587, useTls: true });
  });

  it('refuses a 31-character secret and accepts a 32-character one', () => {
    const short = configError({ ...PRODUCTION, JWT_SECRET_KEY: 's'.repeat(31) });
    expect(reportedVariables(short)).toEqual(['JWT_SECRET_KEY']);
    expect(short.message).toMatch(/32/);
    expect(loadConfig({ ...PRODUCTION, JWT_SECRET_KEY: 's'.repeat(32) }).jwt.secret).toBe('s'.repeat(32));
  });

  it('refuses the development secret in production', () => {
    const devSecret = loadConfig({}).jwt.secret;
    expect(reportedVariables(configError({ ...PRODUCTION, JWT_SECRET_KEY: devSecret }))).toEqual(['JWT_SECRET_KEY']);
  });

  it('a short secret outside production is fine', () => {
    expect(loadConfig({ JWT_SECRET_KEY: 'short' }).jwt.secret).toBe('short');
  });
});

describe('value parsing', () => {
  it('booleans: "false", "0" and "no" are false; "true", "1", "yes" are true', () => {
    for (const value of ['false', '0', 'no', 'FALSE', ' No ', 'off']) {
      expect(loadConfig({ SMTP_HOST: 'smtp.example.com', SMTP_USE_TLS: value }).smtp?.useTls, value).toBe(false);
    }
    for (const value of ['true', '1', 'yes', 'TRUE', 'on']) {
      expect(loadConfig({ SMTP_HOST: 'smtp.example.com', SMTP_USE_TLS: value }).smtp?.useTls, value).toBe(true);
    }
  });

  it('a boolean that is neither is an error naming the variable', () => {
    const error = configError({ SMTP_HOST: 'smtp.example.com', SMTP_USE_TLS: 'maybe' });
    expect(reportedVariables(error)).toEqual(['SMTP_USE_TLS']);
    expect(error.message).toMatch(/SMTP_USE_TLS: expected true or false/);
  });

  it('empty and blank strings count as unset', () => {
    const config = loadConfig({ PORT: '', LOG_LEVEL: '  ', DATABASE_URL: '', FRONTEND_URL: '', SMTP_HOST: '', APP_ENV: '' });
    expect(config.port).toBe(7860);
    expect(config.logLevel).toBe('info');
    expect(config.isDefaultDatabase).toBe(true);
    expect(config.frontendUrls).toEqual(['http://localhost:7860']);
    expect(config.smtp).toBeUndefined();
    expect(config.appEnv).toBe('development');
    // In production an empty required variable is missing, not present.
    const error = configError({ ...PRODUCTION, JWT_SECRET_KEY: '', SMTP_HOST: '' });
    expect(reportedVariables(error).sort()).toEqual(['JWT_SECRET_KEY', 'SMTP_HOST']);
    expect(error.message).toMatch(/JWT_SECRET_KEY: is required in production/);
  });

  it.each([['abc'], ['0'], ['65536'], ['80.5'], ['-1']])('PORT=%s is reported', (port) => {
    expect(reportedVariables(configError({ PORT: port }))).toEqual(['PORT']);
  });

  it('a valid PORT is a number', () => {
    expect(loadConfig({ PORT: '3000' }).port).toBe(3000);
  });

  it('bad URLs are reported, each under its own name', () => {
    const error = configError({
      DATABASE_URL: 'not a url',
      REDIS_URL: 'http://127.0.0.1:6379',
      FRONTEND_URL: 'example.com',
      OPENAI_BASE_URL: 'ftp://llm.example.com',
    });
    expect(reportedVariables(error).sort()).toEqual(['DATABASE_URL', 'FRONTEND_URL', 'OPENAI_BASE_URL', 'REDIS_URL']);
    expect(error.message).toMatch(/\(4 problems\)/);
  });

  it('a bad LOG_LEVEL is reported; LOG_LEVEL=INFO is accepted as info', () => {
    expect(reportedVariables(configError({ LOG_LEVEL: 'verbose' }))).toEqual(['LOG_LEVEL']);
    expect(loadConfig({ LOG_LEVEL: 'INFO' }).logLevel).toBe('info');
    expect(loadConfig({ LOG_LEVEL: 'Debug' }).logLevel).toBe('debug');
  });

  it('FRONTEND_URL is a comma list with spaces and trailing slashes trimmed', () => {
    const config = loadConfig({ FRONTEND_URL: 'https://app.example.com/, http://localhost:3000//,https://x.hf.space' });
    expect(config.frontendUrls).toEqual(['https://app.example.com', 'http://localhost:3000', 'https://x.hf.space']);
  });

  it('FRAME_ANCESTORS is a comma list', () => {
    expect(loadConfig({ FRAME_ANCESTORS: 'https://huggingface.co, https://*.hf.space' }).frameAncestors).toEqual([
      'https://huggingface.co',
      'https://*.hf.space',
    ]);
  });

  it('PUBLIC_URL defaults to the API origin on PORT and loses a trailing slash', () => {
    expect(loadConfig({ PORT: '8080' }).publicUrl).toBe('http://localhost:8080');
    expect(loadConfig({ PUBLIC_URL: 'https://todo.example.com/' }).publicUrl).toBe('https://todo.example.com');
    expect(loadConfig({ PUBLIC_URL: 'http://127.0.0.1:7860' }).publicUrl).toBe('http://127.0.0.1:7860');
  });

  it('PUBLIC_URL must be an https origin (http only for localhost), without path, query or fragment', () => {
    for (const value of ['http://todo.example.com', 'https://todo.example.com/app', 'https://todo.example.com/?x=1', 'https://todo.example.com/#top', 'ftp://todo.example.com', 'todo.example.com']) {
      expect(reportedVariables(configError({ PUBLIC_URL: value })), value).toEqual(['PUBLIC_URL']);
    }
  });
});

describe('LLM provider', () => {
  it('auto is builtin without a key and openai with OPENAI_API_KEY', () => {
    expect(loadConfig({ LLM_PROVIDER: 'auto' }).llm.provider).toBe('builtin');
    const config = loadConfig({ OPENAI_API_KEY: 'sk-test-key' });
    expect(config.llm).toMatchObject({ provider: 'openai', apiKey: 'sk-test-key', model: 'gpt-4o-mini' });
    expect(loadConfig({ LLM_PROVIDER: 'auto', OPENAI_API_KEY: 'sk-test-key' }).llm.provider).toBe('openai');
  });

  it('builtin stays builtin even with a key; openai without a key is reported', () => {
    expect(loadConfig({ LLM_PROVIDER: 'builtin', OPENAI_API_KEY: 'sk-test-key' }).llm.provider).toBe('builtin');
    expect(reportedVariables(configError({ LLM_PROVIDER: 'openai' }))).toEqual(['OPENAI_API_KEY']);
  });
});

describe('secrets in error messages', () => {
  const jwtSecret = 'Jwt-Secret-Value-4f9c1e'; // 23 characters: too short for production
  const smtpPassword = 'Smtp-Password-Value-8d2a7b';

  it('the message never contains the value of JWT_SECRET_KEY or SMTP_PASSWORD', () => {
    const error = configError({
      APP_ENV: 'production',
      JWT_SECRET_KEY: jwtSecret,
      SMTP_USERNAME: 'mailer',
      SMTP_PASSWORD: smtpPassword,
      SMTP_USE_TLS: 'maybe',
    });
    expect(reportedVariables(error)).toContain('JWT_SECRET_KEY');
    expect(error.message).not.toContain(jwtSecret);
    expect(error.message).not.toContain(smtpPassword);
    expect(String(error.stack)).not.toContain(jwtSecret);
    expect(String(error.stack)).not.toContain(smtpPassword);
  });

  it('a secret put where a different value is expected is not echoed either', () => {
    const error = configError({ LOG_LEVEL: jwtSecret, SMTP_USE_TLS: smtpPassword, APP_ENV: jwtSecret });
    expect(reportedVariables(error).sort()).toEqual(['APP_ENV', 'LOG_LEVEL', 'SMTP_USE_TLS']);
    expect(error.message).not.toContain(jwtSecret);
    expect(error.message.toLowerCase()).not.toContain(jwtSecret.toLowerCase());
    expect(error.message.toLowerCase()).not.toContain(smtpPassword.toLowerCase());
  });
});

describe('REFRESH_REUSE_GRACE_SECONDS', () => {
  it('defaults to 10 seconds, accepts 0 (no grace) to 300, and refuses anything else by name', () => {
    expect(loadConfig({}).refreshReuseGraceSeconds).toBe(10);
    expect(loadConfig({ REFRESH_REUSE_GRACE_SECONDS: '0' }).refreshReuseGraceSeconds).toBe(0);
    expect(loadConfig({ REFRESH_REUSE_GRACE_SECONDS: '300' }).refreshReuseGraceSeconds).toBe(300);
    for (const bad of ['-1', '301', '2.5', 'ten']) {
      expect(reportedVariables(configError({ REFRESH_REUSE_GRACE_SECONDS: bad })), bad).toEqual(['REFRESH_REUSE_GRACE_SECONDS']);
    }
  });
});

describe('mail transport', () => {
  it('defaults to smtp with SMTP_HOST and to outbox without it, outside production', () => {
    expect(loadConfig({}).mail.transport).toBe('outbox');
    expect(loadConfig({ SMTP_HOST: 'smtp.example.com' }).mail.transport).toBe('smtp');
    expect(loadConfig({ SMTP_HOST: 'smtp.example.com', MAIL_TRANSPORT: 'outbox' }).mail.transport).toBe('outbox');
  });

  it('reads the HTTPS providers with their public base URLs by default, or the override without a trailing slash', () => {
    const sendgrid = loadConfig({ MAIL_TRANSPORT: 'sendgrid', SENDGRID_API_KEY: 'SG.x' });
    expect(sendgrid.mail).toEqual({ transport: 'sendgrid', sendgrid: { apiKey: 'SG.x', baseUrl: 'https://api.sendgrid.com' }, resend: undefined });
    const resend = loadConfig({ MAIL_TRANSPORT: 'resend', RESEND_API_KEY: 're_x', RESEND_API_URL: 'http://proxy.internal:8080/resend/' });
    expect(resend.mail.resend).toEqual({ apiKey: 're_x', baseUrl: 'http://proxy.internal:8080/resend' });
  });

  it('production refuses outbox, explicit or by default, and an HTTPS provider works without SMTP_HOST', () => {
    expect(reportedVariables(configError({ ...PRODUCTION, MAIL_TRANSPORT: 'outbox' }))).toEqual(['MAIL_TRANSPORT']);
    expect(configError({ ...PRODUCTION, SMTP_HOST: undefined }).message).toMatch(/SMTP_HOST: is required in production \(or set MAIL_TRANSPORT=sendgrid or resend\)/);
    const config = loadConfig({ ...PRODUCTION, SMTP_HOST: undefined, MAIL_TRANSPORT: 'resend', RESEND_API_KEY: 're_live' });
    expect(config.mail.transport).toBe('resend');
    expect(config.mailFrom).toBe('no-reply@example.com');
  });

  it('names the missing key of the chosen transport, and rejects unknown transports and bad URLs, never echoing a key', () => {
    expect(reportedVariables(configError({ MAIL_TRANSPORT: 'sendgrid' }))).toEqual(['SENDGRID_API_KEY']);
    expect(reportedVariables(configError({ MAIL_TRANSPORT: 'resend' }))).toEqual(['RESEND_API_KEY']);
    expect(reportedVariables(configError({ MAIL_TRANSPORT: 'smtp' }))).toEqual(['SMTP_HOST']);
    expect(reportedVariables(configError({ MAIL_TRANSPORT: 'mailgun' }))).toEqual(['MAIL_TRANSPORT']);
    const error = configError({ MAIL_TRANSPORT: 'resend', RESEND_API_KEY: 're_secret_value', RESEND_API_URL: 'ftp://nope', SENDGRID_API_URL: 'not a url' });
    expect(reportedVariables(error).sort()).toEqual(['RESEND_API_URL', 'SENDGRID_API_URL']);
    expect(error.message).not.toContain('re_secret_value');
  });

  it('REQUIRE_EMAIL_VERIFICATION is false unless set to a true value', () => {
    expect(loadConfig({}).requireEmailVerification).toBe(false);
    expect(loadConfig({ REQUIRE_EMAIL_VERIFICATION: 'false' }).requireEmailVerification).toBe(false);
    expect(loadConfig({ REQUIRE_EMAIL_VERIFICATION: 'true' }).requireEmailVerification).toBe(true);
    expect(reportedVariables(configError({ REQUIRE_EMAIL_VERIFICATION: 'maybe' }))).toEqual(['REQUIRE_EMAIL_VERIFICATION']);
  });
});
