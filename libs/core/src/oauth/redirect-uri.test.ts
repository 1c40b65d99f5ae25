import { describe, expect, it } from 'vitest';
import { isAllowedRedirectUri } from './redirect-uri.js';

describe('isAllowedRedirectUri', () => {
  it.each([
    'https://claude.ai/api/mcp/auth_callback',
    'https://chatgpt.com/connector_platform_oauth_redirect',
    'https://vscode.dev/redirect',
    'http://127.0.0.1:33418/',
    'http://localhost:6274/oauth/callback?x=1',
    'http://[::1]:8080/cb',
    'cursor://anysphere.cursor-mcp/oauth/callback',
    'https://www.cursor.com/agents/mcp/oauth/callback',
  ])('accepts %s', (uri) => {
    expect(isAllowedRedirectUri(uri)).toBe(true);
  });

  it.each([
    'http://example.com/callback',
    'http://127.0.0.1.example.com/cb',
    'https://example.com/cb#fragment',
    'https://example.com/cb#',
    'javascript:alert(1)',
    'data:text/html,hi',
    'file:///etc/passwd',
    'ftp://example.com/cb',
    'https://user:pass@example.com/cb',
    'cursor://anysphere.cursor-mcp/oauth/callback#x',
    'cursor://anysphere.cursor-mcp/oauth/other',
    'vscode://some.extension/cb',
    'not a url',
    '',
  ])('refuses %s', (uri) => {
    expect(isAllowedRedirectUri(uri)).toBe(false);
  });
});
