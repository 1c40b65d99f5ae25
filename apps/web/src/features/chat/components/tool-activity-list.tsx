import { describeToolActivity, type ToolActivity } from '../utils/tool-summary';

/** Each tool the assistant used as one line; the arguments and result open on demand. */
export function ToolActivityList({ activities }: { activities: ToolActivity[] }) {
  return (
    <ul className="tool-list" aria-label="Actions taken">
      {activities.map((activity, index) => {
        const isFailure = activity.result?.success === false;
        return (
          <li key={index} className={`tool${isFailure ? ' tool--failed' : ''}`}>
            <details>
              <summary>{describeToolActivity(activity)}</summary>
              <pre className="tool__details">{JSON.stringify({ tool: activity.tool, input: activity.input, result: activity.result }, null, 2)}</pre>
            </details>
          </li>
        );
      })}
    </ul>
  );
}
