import { useMutation, useQueryClient } from '@tanstack/react-query';
import { post } from '../../api/client';
import type { Agent } from '../../api/types';
import { FormError } from '../../ui/form';
import { Time } from '../../ui/widgets';

/** A pending draft: when it was saved, which version calls use meanwhile, deploy or discard it. */
export function DraftNotice({ agent, onDone }: { agent: Agent; onDone: (message: string) => void }) {
  const qc = useQueryClient();
  const act = useMutation({
    mutationFn: (path: 'deploy' | 'discard-draft') => post<Agent>(`/v1/agents/${agent.id}/${path}`, {}),
    onSuccess: (a, path) => {
      onDone(path === 'deploy' ? `Deployed as version ${a.version}.` : 'Draft discarded.');
      qc.setQueryData(['agents', a.id], a);
      void qc.invalidateQueries({ queryKey: ['agents'] });
    },
  });
  if (!agent.draft) return null;
  return (
    <div className="alert alert-warn" role="region" aria-label="Pending draft">
      <p>
        <strong>Draft pending</strong> (saved <Time iso={agent.draft.updated_at} />
        ). Calls use version {agent.version} until you deploy it; the form below shows the draft.
      </p>
      <div className="row">
        <button
          type="button"
          className="btn btn-primary btn-small"
          disabled={act.isPending}
          onClick={() => act.mutate('deploy')}
        >
          Deploy draft
        </button>
        <button
          type="button"
          className="btn btn-small"
          disabled={act.isPending}
          onClick={() => act.mutate('discard-draft')}
        >
          Discard draft
        </button>
      </div>
      <FormError error={act.error} />
    </div>
  );
}
