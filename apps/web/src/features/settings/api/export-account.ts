import { useMutation } from '@tanstack/react-query';
import { api } from '../../../lib/api-client';
import { unwrap } from '../../../lib/api-error';

export interface AccountExportFile {
  blob: Blob;
  fileName: string;
}

const FALLBACK_NAME = 'todo-export.json';

/** The file name the API suggests in Content-Disposition, or a plain one. */
export function exportFileName(contentDisposition: string | null): string {
  const name = /filename="?([^";]+)"?/i.exec(contentDisposition ?? '')?.[1]?.trim();
  return name && !/[\\/]/.test(name) ? name : FALLBACK_NAME;
}

/** Every task, conversation and message of the user, as the JSON file the API builds. */
export async function exportAccount(userId: string): Promise<AccountExportFile> {
  const call = api.GET('/api/{user_id}/export', { params: { path: { user_id: userId } }, parseAs: 'blob' });
  const { response } = await call;
  const blob = await unwrap(call);
  return { blob, fileName: exportFileName(response.headers.get('Content-Disposition')) };
}

/** Hands a file to the browser's downloads, through a short-lived object URL. */
export function saveFile({ blob, fileName }: AccountExportFile): void {
  const url = URL.createObjectURL(blob);
  const link = document.createElement('a');
  link.href = url;
  link.download = fileName;
  document.body.append(link);
  link.click();
  link.remove();
  // Revoked on the next turn: the download has started by then.
  setTimeout(() => URL.revokeObjectURL(url), 0);
}

export function useExportAccount(userId: string) {
  return useMutation({ mutationFn: () => exportAccount(userId), onSuccess: saveFile });
}
