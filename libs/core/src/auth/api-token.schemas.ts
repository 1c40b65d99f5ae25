import { z } from 'zod';
import type { ApiToken } from './api-token.repository.js';

export const CreateApiTokenSchema = z.strictObject({
  name: z
    .string()
    .trim()
    .min(1, 'must not be blank')
    .max(100, 'must be at most 100 characters')
    .meta({ description: 'What the token is for, to recognise it in the list', example: 'Claude Desktop' }),
  expires_in_days: z
    .number()
    .int('must be a whole number of days')
    .min(1, 'must be at least 1')
    .max(365, 'must be at most 365')
    .optional()
    .meta({ description: 'Days until the token stops working (1 to 365); omit for a token that does not expire', example: 90 }),
});
export type CreateApiTokenInput = z.infer<typeof CreateApiTokenSchema>;

export const ApiTokenJsonSchema = z
  .object({
    id: z.uuid(),
    name: z.string(),
    created_at: z.iso.datetime(),
    expires_at: z.iso.datetime().nullable().meta({ description: 'null: never expires' }),
    last_used_at: z.iso.datetime().nullable().meta({ description: 'Updated at most once a minute' }),
  })
  .meta({ id: 'ApiToken' });
export type ApiTokenJson = z.infer<typeof ApiTokenJsonSchema>;

export const CreatedApiTokenJsonSchema = ApiTokenJsonSchema.extend({
  token: z.string().meta({ description: 'The raw token (todo_pat_...). Shown only in this response; store it now.' }),
}).meta({ id: 'CreatedApiToken' });

export const ApiTokenListJsonSchema = z.object({ api_tokens: z.array(ApiTokenJsonSchema) }).meta({ id: 'ApiTokenList' });

export function apiTokenToJson(token: ApiToken): ApiTokenJson {
  return {
    id: token.id,
    name: token.name,
    created_at: token.createdAt.toISOString(),
    expires_at: token.expiresAt ? token.expiresAt.toISOString() : null,
    last_used_at: token.lastUsedAt ? token.lastUsedAt.toISOString() : null,
  };
}
