import { useQueryClient } from '@tanstack/react-query';
import { PageHeading } from '../../components/ui/page-heading';
import { ChatPanel } from '../../features/chat/components/chat-panel';
import { TasksPanel } from '../../features/tasks/components/tasks-panel';
import { useUser } from '../../lib/session';

/**
 * Tasks and chat side by side on a wide screen; on a phone one at a time (`panel`), switched
 * from the header. The chat's tool results refresh the task lists (the change feed does too).
 */
export function HomeRoute({ panel }: { panel: 'tasks' | 'chat' }) {
  const user = useUser();
  const queryClient = useQueryClient();
  return (
    <div className={`home home--${panel}`}>
      <PageHeading title={panel === 'tasks' ? 'Tasks' : 'Chat'} className="visually-hidden" />
      <div className="home__tasks">
        <TasksPanel userId={user.id} headingId="tasks-heading" />
      </div>
      <div className="home__chat">
        <ChatPanel userId={user.id} onTasksChanged={() => void queryClient.invalidateQueries({ queryKey: ['tasks'] })} />
      </div>
    </div>
  );
}
