import { useConfig, workflowUrl } from '../config';

/**
 * A link to a workflow in the Temporal Web UI (config.json `temporalUiUrl`), opened in a new tab: a mentee's
 * (`mentee-application/<applicationId>`) or any other by its id.
 */
export function WorkflowLink({
  applicationId,
  workflowId = `mentee-application/${applicationId}`,
  label = 'Workflow',
}: {
  applicationId?: string;
  workflowId?: string;
  label?: string;
}) {
  const config = useConfig();
  return (
    <a href={workflowUrl(config, workflowId)} target="_blank" rel="noreferrer">
      {label}
      <span className="visually-hidden"> {workflowId} in the Temporal UI (opens a new tab)</span>
    </a>
  );
}
