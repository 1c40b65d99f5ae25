import { describe, expect, it } from 'vitest';
import { mayCreateDatabase } from './pool.js';

describe('mayCreateDatabase', () => {
  const url = (host: string) => `postgres://postgres@${host}:5432/my_todo`;

  it('creates the development default, and in development any database on the local server', () => {
    expect(mayCreateDatabase({ appEnv: 'development', databaseUrl: 'postgres://postgres@127.0.0.1:5432/todo_dev', isDefaultDatabase: true })).toBe(true);
    for (const host of ['127.0.0.1', 'localhost', '[::1]']) {
      expect(mayCreateDatabase({ appEnv: 'development', databaseUrl: url(host), isDefaultDatabase: false }), host).toBe(true);
    }
  });

  it('never creates a database on another server, or outside development', () => {
    for (const host of ['db.example.com', '10.0.0.5', 'ep-cool-name.eu-central-1.aws.neon.tech']) {
      expect(mayCreateDatabase({ appEnv: 'development', databaseUrl: url(host), isDefaultDatabase: false }), host).toBe(false);
    }
    for (const appEnv of ['production', 'test']) {
      expect(mayCreateDatabase({ appEnv, databaseUrl: url('127.0.0.1'), isDefaultDatabase: false }), appEnv).toBe(false);
    }
  });
});
