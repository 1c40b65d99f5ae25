import { useState } from 'react';
import { absoluteApiUrl } from '../../../lib/config';

/** The client configuration most MCP clients (Cursor, Claude Desktop via mcp-remote, ...) accept. */
export function mcpClientConfig(mcpUrl: string, token = 'todo_pat_...'): string {
  return JSON.stringify({ mcpServers: { todo: { url: mcpUrl, headers: { Authorization: `Bearer ${token}` } } } }, null, 2);
}

/** A button that copies text and says so. */
export function CopyButton({ text, label }: { text: string; label: string }) {
  const [state, setState] = useState<'idle' | 'copied' | 'failed'>('idle');
  const copy = async () => {
    try {
      await navigator.clipboard.writeText(text);
      setState('copied');
    } catch {
      setState('failed');
    }
  };
  return (
    <button type="button" className="button button--secondary button--small" onClick={() => void copy()} aria-label={label}>
      {state === 'copied' ? 'Copied' : state === 'failed' ? 'Select and copy' : 'Copy'}
    </button>
  );
}

/** Where MCP clients connect, and a configuration to paste (with the new token when there is one). */
export function McpConnection({ token }: { token?: string | undefined }) {
  const mcpUrl = absoluteApiUrl('/mcp');
  const config = mcpClientConfig(mcpUrl, token);
  return (
    <div className="mcp">
      <p>
        MCP clients (Claude, Cursor, VS Code, …) connect to <code className="code-inline">{mcpUrl}</code> with a personal token as a Bearer
        token.
      </p>
      <div className="code-block">
        <div className="code-block__header">
          <span>Client configuration (mcp.json)</span>
          <CopyButton text={config} label="Copy the client configuration" />
        </div>
        <pre tabIndex={0} aria-label="Client configuration">
          {config}
        </pre>
      </div>
    </div>
  );
}
