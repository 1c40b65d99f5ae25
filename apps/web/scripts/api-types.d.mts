export const API_TYPES_PATH: string;
export function renderApiTypes(document: unknown): Promise<string>;
