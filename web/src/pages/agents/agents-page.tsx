import { useMutation, useQueryClient } from '@tanstack/react-query';
import { post } from '../../api/client';
import type { Agent } from '../../api/types';
import { useAgents } from '../../api/queries';
import { Link, navigate } from '../../router/router';
import { Page } from '../../ui/page';
import { QueryState } from '../../ui/states';
import { DataTable, Time } from '../../ui/widgets';

export function AgentsPage() {
  const agents = useAgents();
  const qc = useQueryClient();
  const duplicate = useMutation({
    mutationFn: (id: number) => post<Agent>(`/v1/agents/${id}/duplicate`),
    onSuccess: (a) => {
      void qc.invalidateQueries({ queryKey: ['agents'] });
      navigate(`/agents/${a.id}`);
    },
  });
  return (
    <Page
      title="Agents"
      actions={
        <Link to="/agents/new" className="btn btn-primary">
          New agent
        </Link>
      }
    >
      <QueryState
        query={agents}
        empty={
          <p>
            No agents yet. <Link to="/agents/new">Create your first agent</Link>: a prompt and a voice are enough.
          </p>
        }
      >
        {(list) => (
          <DataTable label="Agents" columns={['Name', 'Voice', 'Product', 'Tools', 'Version', 'Updated', '']}>
            {list.map((a) => (
              <tr key={a.id}>
                <td>
                  <Link to={`/agents/${a.id}`}>{a.name}</Link>
                </td>
                <td>{a.voice}</td>
                <td>{a.product}</td>
                <td>{a.tools.length}</td>
                <td>{a.version}</td>
                <td>
                  <Time iso={a.updated_at} />
                </td>
                <td>
                  <button
                    type="button"
                    className="btn btn-small"
                    onClick={() => duplicate.mutate(a.id)}
                    disabled={duplicate.isPending}
                    aria-label={`Duplicate ${a.name}`}
                  >
                    Duplicate
                  </button>
                </td>
              </tr>
            ))}
          </DataTable>
        )}
      </QueryState>
    </Page>
  );
}
