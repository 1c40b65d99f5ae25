import type { components, paths } from '../types/api.generated';

type Schemas = components['schemas'];
export type User = Schemas['User'];
export type Session = Schemas['Session'];
export type Task = Schemas['Task'];
export type TaskPage = Schemas['TaskPage'];
export type TaskPriority = Task['priority'];
export type Conversation = Schemas['Conversation'];
export type ConversationDetail = Schemas['ConversationDetail'];
export type StoredMessage = Schemas['StoredMessage'];
export type ChatResult = Schemas['ChatResult'];
export type ApiToken = Schemas['ApiToken'];
export type CreatedApiToken = Schemas['CreatedApiToken'];
export type Problem = Schemas['Problem'];
export type ConnectedApp = paths['/api/{user_id}/connected-apps']['get']['responses'][200]['content']['application/json']['connected_apps'][number];
