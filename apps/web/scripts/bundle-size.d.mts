export const FIRST_PAGE_JS_BUDGET_BYTES: number;
export function measureFirstPageJs(distDir: string): Promise<{ files: { file: string; bytes: number; gzipBytes: number }[]; gzipBytes: number }>;
