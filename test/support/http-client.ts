import { randomBytes } from 'node:crypto';

export interface HttpResponse<T = any> {
  status: number;
  headers: Headers;
  body: T;
  text: string;
}

export interface RequestOptions {
  body?: unknown;
  /** Sent as is, without JSON encoding. */
  rawBody?: string;
  token?: string;
  headers?: Record<string, string>;
}

/** A random client address, sent as X-Forwarded-For so that each test user has its own rate-limit bucket. */
export function randomIp(): string {
  const b = randomBytes(3);
  return `10.${b[0]}.${b[1]}.${b[2]}`;
}

export class HttpClient {
  constructor(readonly baseUrl: string) {}

  async request<T = any>(method: string, path: string, options: RequestOptions = {}): Promise<HttpResponse<T>> {
    const headers: Record<string, string> = { ...options.headers };
    let body: string | undefined = options.rawBody;
    if (options.body !== undefined) {
      body = JSON.stringify(options.body);
      headers['content-type'] ??= 'application/json';
    }
    if (options.token) headers.authorization = `Bearer ${options.token}`;
    const response = await fetch(`${this.baseUrl}${path}`, { method, headers, body });
    const text = await response.text();
    let parsed: unknown = undefined;
    if (text && /json/.test(response.headers.get('content-type') ?? '')) parsed = JSON.parse(text);
    return { status: response.status, headers: response.headers, body: parsed as T, text };
  }

  get = <T = any>(path: string, options?: RequestOptions) => this.request<T>('GET', path, options);
  post = <T = any>(path: string, options?: RequestOptions) => this.request<T>('POST', path, options);
  patch = <T = any>(path: string, options?: RequestOptions) => this.request<T>('PATCH', path, options);
  put = <T = any>(path: string, options?: RequestOptions) => this.request<T>('PUT', path, options);
  delete = <T = any>(path: string, options?: RequestOptions) => this.request<T>('DELETE', path, options);
}

export interface TestUser {
  id: string;
  email: string;
  password: string;
  accessToken: string;
  refreshToken: string;
  ip: string;
}

let counter = 0;

/** Registers a new user with a unique email, from its own client address. */
export async function registerUser(http: HttpClient, overrides: { email?: string; password?: string } = {}): Promise<TestUser> {
  const email = overrides.email ?? `user${++counter}.${randomBytes(4).toString('hex')}@example.com`;
  const password = overrides.password ?? `pw-${randomBytes(6).toString('hex')}`;
  const ip = randomIp();
  const response = await http.post('/api/auth/register', {
    body: { email, password, name: 'Test User' },
    headers: { 'x-forwarded-for': ip },
  });
  if (response.status !== 201) throw new Error(`register failed: ${response.status} ${response.text}`);
  return {
    id: response.body.user.id,
    email,
    password,
    accessToken: response.body.access_token,
    refreshToken: response.body.refresh_token,
    ip,
  };
}
