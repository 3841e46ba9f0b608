import { useQuery } from '@tanstack/react-query';
import { get } from './client';
import type { Agent, PhoneNumber, Voice } from './types';

/** Queries several pages share. */
export const useAgents = () => useQuery({ queryKey: ['agents'], queryFn: () => get<Agent[]>('/v1/agents') });
export const useNumbers = () =>
  useQuery({ queryKey: ['numbers'], queryFn: () => get<PhoneNumber[]>('/v1/phone-numbers') });
export const useVoices = () =>
  useQuery({ queryKey: ['voices'], queryFn: () => get<Voice[]>('/v1/voices'), staleTime: 3_600_000 });

export function agentName(agents: Agent[] | undefined, id: number | null): string {
  if (id === null) return '—';
  return agents?.find((a) => a.id === id)?.name ?? `Agent ${id}`;
}
