import { useState } from 'react';
import { useQuery } from '@tanstack/react-query';
import { get } from '../../api/client';
import type { AgentVersion } from '../../api/types';
import { QueryState } from '../../ui/states';
import { SelectField } from '../../ui/form';
import { formatDateTime, humanize } from '../../ui/format';
import { asText, diffLines } from './text-diff';

function VersionDiff({ before, after }: { before: AgentVersion | undefined; after: AgentVersion }) {
  const keys = [...new Set([...Object.keys(after.snapshot), ...Object.keys(before?.snapshot ?? {})])];
  const changed = keys.filter(
    (k) =>
      asText((before?.snapshot as unknown as Record<string, unknown> | undefined)?.[k]) !==
      asText((after.snapshot as unknown as Record<string, unknown>)[k]),
  );
  if (!before) return <p>Version {after.version} is the first version.</p>;
  if (changed.length === 0) return <p>No setting differs.</p>;
  return (
    <div className="diffs">
      {changed.map((k) => {
        const lines = diffLines(
          asText((before.snapshot as unknown as Record<string, unknown>)[k]),
          asText((after.snapshot as unknown as Record<string, unknown>)[k]),
        );
        return (
          <div key={k} className="diff">
            <h4>{humanize(k)}</h4>
            <pre aria-label={`Changes to ${humanize(k)}`} tabIndex={0}>
              {lines.map((l, i) => (
                <span key={i} className={`diff-${l.kind}`}>
                  {l.kind === 'add' ? '+ ' : l.kind === 'del' ? '− ' : '  '}
                  {l.text}
                  {'\n'}
                </span>
              ))}
            </pre>
            <p className="sr-only">
              {lines.filter((l) => l.kind === 'del').length} lines removed,{' '}
              {lines.filter((l) => l.kind === 'add').length} lines added.
            </p>
          </div>
        );
      })}
    </div>
  );
}

/** Every saved version (newest first) and what changed from the one before. */
export function AgentVersions({ agentId, currentVersion }: { agentId: number; currentVersion: number }) {
  const versions = useQuery({
    queryKey: ['agents', agentId, 'versions', currentVersion],
    queryFn: () => get<AgentVersion[]>(`/v1/agents/${agentId}/versions`),
  });
  const [selected, setSelected] = useState<number | null>(null);
  return (
    <QueryState query={versions} empty={<p>No versions yet.</p>}>
      {(list) => {
        const sorted = [...list].sort((a, b) => b.version - a.version);
        const after = sorted.find((v) => v.version === selected) ?? sorted[0]!;
        const before = sorted.find((v) => v.version < after.version);
        return (
          <>
            <SelectField
              label="Version"
              value={String(after.version)}
              onChange={(e) => setSelected(Number(e.target.value))}
            >
              {sorted.map((v) => (
                <option key={v.version} value={v.version}>
                  Version {v.version} — {formatDateTime(v.created_at)}
                </option>
              ))}
            </SelectField>
            <p className="muted">{before ? `Changes from version ${before.version} to ${after.version}:` : ''}</p>
            <VersionDiff before={before} after={after} />
          </>
        );
      }}
    </QueryState>
  );
}
