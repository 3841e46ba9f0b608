import { useEffect, useState, type FormEvent } from 'react';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { del, get, patch, post } from '../../api/client';
import type { Agent } from '../../api/types';
import { useVoices } from '../../api/queries';
import { navigate, Link } from '../../router/router';
import { Page, Section } from '../../ui/page';
import { Loading, ErrorState } from '../../ui/states';
import { FormError, SelectField, TextArea, TextField, fieldErrors } from '../../ui/form';
import { LiveMessage, Time } from '../../ui/widgets';
import { VoicePicker } from './voice-picker';
import { AgentVersions } from './agent-versions';
import { TalkPanel } from './talk-panel';
import { DraftNotice } from './draft-notice';
import { TOOL_TEMPLATE, checkTools } from './tool-schema';

/** A message for the next AgentForm (creating an agent moves to its own page, a new form). */
let flash: string | null = null;
const takeFlash = () => {
  const m = flash;
  flash = null;
  return m;
};

const PRODUCTS = ['spark', 'bolt', 'storm-base', 'storm-base-with-ack', 'storm-extra', 'storm-extra-with-ack'];

interface FormState {
  name: string;
  prompt: string;
  voice: string;
  product: string;
  acknowledgement_prompt_mode: 'auto' | 'manual';
  acknowledgement_prompt: string;
  inbound_speak_order: 'agent_first' | 'caller_first';
  outbound_speak_order: 'agent_first' | 'caller_first';
  max_hold_seconds: string;
  background_track: string;
  primary_language: string;
  additional_languages: string;
  tools: string;
}

function toForm(agent: Agent | undefined, defaultVoice: string): FormState {
  // With a pending draft the form edits the draft (what PATCH changes), not the deployed revision.
  const a = agent?.draft ?? agent;
  return {
    name: a?.name ?? '',
    prompt: a?.prompt ?? '',
    voice: a?.voice ?? defaultVoice,
    product: a?.product ?? 'spark',
    acknowledgement_prompt_mode: a?.acknowledgement_prompt_mode ?? 'auto',
    acknowledgement_prompt: a?.acknowledgement_prompt ?? '',
    inbound_speak_order: a?.inbound_speak_order ?? 'agent_first',
    outbound_speak_order: a?.outbound_speak_order ?? 'agent_first',
    max_hold_seconds:
      a?.max_hold_seconds === null || a?.max_hold_seconds === undefined ? '' : String(a.max_hold_seconds),
    background_track: a?.background_track ?? '',
    primary_language: a?.primary_language ?? 'en-US',
    additional_languages: (a?.additional_languages ?? []).join(', '),
    tools: JSON.stringify(a?.tools ?? [], null, 2),
  };
}

/** The body sent: what the form shows, typed as the API wants it (its parsers give the field errors). */
function toBody(f: FormState, tools: unknown[]): Record<string, unknown> {
  const hold = f.max_hold_seconds.trim();
  return {
    name: f.name,
    prompt: f.prompt,
    voice: f.voice,
    product: f.product,
    acknowledgement_prompt_mode: f.acknowledgement_prompt_mode,
    acknowledgement_prompt: f.acknowledgement_prompt,
    inbound_speak_order: f.inbound_speak_order,
    outbound_speak_order: f.outbound_speak_order,
    max_hold_seconds: hold === '' ? null : /^-?\d+$/.test(hold) ? Number(hold) : hold,
    background_track: f.background_track === '' ? null : f.background_track,
    primary_language: f.primary_language,
    additional_languages: f.additional_languages
      .split(',')
      .map((s) => s.trim())
      .filter(Boolean),
    tools,
  };
}

function AgentForm({ agent }: { agent: Agent | undefined }) {
  const voices = useVoices();
  const qc = useQueryClient();
  const [form, setForm] = useState<FormState>(() => toForm(agent, ''));
  const [toolProblems, setToolProblems] = useState<[string, string][]>([]);
  const [saved, setSaved] = useState<string | null>(takeFlash);
  useEffect(() => {
    const list = voices.data ?? [];
    // The hosted-API alias of the configured engine's default voice, else an English one.
    const initial =
      list.find((v) => v.id === 'en-US-James1') ?? list.find((v) => v.language.startsWith('en')) ?? list[0];
    if (!form.voice && initial) setForm((f) => ({ ...f, voice: initial.id }));
  }, [voices.data, form.voice]);

  const save = useMutation({
    mutationFn: ({ body, asDraft }: { body: Record<string, unknown>; asDraft: boolean }) =>
      agent ? patch<Agent>(`/v1/agents/${agent.id}?draft=${asDraft}`, body) : post<Agent>('/v1/agents', body),
    onSuccess: (a, { asDraft }) => {
      qc.setQueryData(['agents', a.id], a);
      void qc.invalidateQueries({ queryKey: ['agents'] });
      if (!agent) {
        flash = `Created: saved as version ${a.version}.`;
        navigate(`/agents/${a.id}`, { replace: true });
        return;
      }
      const message = asDraft
        ? `Draft saved. Calls keep using version ${a.version} until you deploy it.`
        : `Deployed as version ${a.version}.`;
      // A new version or draft gives the page a new form (see AgentPage's key), which shows the flash.
      const remounts = a.version !== agent.version || a.draft?.updated_at !== agent.draft?.updated_at;
      if (remounts) flash = message;
      else setSaved(message);
    },
    onError: () => setSaved(null),
  });
  const set =
    <K extends keyof FormState>(k: K) =>
    (e: { target: { value: string } }) =>
      setForm((f) => ({ ...f, [k]: e.target.value as FormState[K] }));
  const err = (name: string) => fieldErrors(save.error, name);

  const submit = (e: FormEvent<HTMLFormElement>) => {
    e.preventDefault();
    setSaved(null);
    // Which button sent the form: "Save as draft" writes the draft, anything else deploys at once.
    const submitter = (e.nativeEvent as SubmitEvent).submitter;
    const asDraft = submitter?.getAttribute('value') === 'draft';
    const checked = checkTools(form.tools);
    setToolProblems(checked.problems);
    if (!checked.tools) {
      save.reset(); // the server's earlier field errors no longer describe the form
      return;
    }
    save.mutate({ body: toBody(form, checked.tools), asDraft });
  };
  const serverToolErrors = fieldErrors(save.error, 'tools', true);
  const shown = [
    'name',
    'prompt',
    'voice',
    'product',
    'acknowledgement_prompt_mode',
    'acknowledgement_prompt',
    'inbound_speak_order',
    'outbound_speak_order',
    'max_hold_seconds',
    'background_track',
    'primary_language',
    'additional_languages',
    'tools',
  ];

  return (
    <form onSubmit={submit} noValidate className="form-grid" aria-label="Agent settings">
      <TextField label="Name" name="name" value={form.name} onChange={set('name')} errors={err('name')} required />
      <TextArea
        label="Prompt"
        name="prompt"
        rows={8}
        value={form.prompt}
        onChange={set('prompt')}
        errors={err('prompt')}
        hint={
          <>
            <code>{'{{name}}'}</code> placeholders are filled from a call&apos;s <code>variables</code>.
          </>
        }
        required
      />
      {voices.isError ? (
        <ErrorState error={voices.error} />
      ) : (
        <VoicePicker
          voices={voices.data ?? []}
          value={form.voice}
          onChange={(v) => setForm((f) => ({ ...f, voice: v }))}
          errors={err('voice')}
        />
      )}
      <SelectField
        label="Product"
        name="product"
        value={form.product}
        onChange={set('product')}
        errors={err('product')}
      >
        {PRODUCTS.map((p) => (
          <option key={p} value={p}>
            {p}
          </option>
        ))}
      </SelectField>
      <SelectField
        label="Acknowledgement"
        name="acknowledgement_prompt_mode"
        value={form.acknowledgement_prompt_mode}
        onChange={set('acknowledgement_prompt_mode')}
        errors={err('acknowledgement_prompt_mode')}
        hint="What *-with-ack products say when an answer takes a moment."
      >
        <option value="auto">Generated from the prompt</option>
        <option value="manual">Fixed text</option>
      </SelectField>
      {form.acknowledgement_prompt_mode === 'manual' ? (
        <TextField
          label="Acknowledgement text"
          name="acknowledgement_prompt"
          value={form.acknowledgement_prompt}
          onChange={set('acknowledgement_prompt')}
          errors={err('acknowledgement_prompt')}
        />
      ) : null}
      <SelectField
        label="Inbound calls: who speaks first"
        name="inbound_speak_order"
        value={form.inbound_speak_order}
        onChange={set('inbound_speak_order')}
        errors={err('inbound_speak_order')}
      >
        <option value="agent_first">The agent</option>
        <option value="caller_first">The caller</option>
      </SelectField>
      <SelectField
        label="Outbound calls: who speaks first"
        name="outbound_speak_order"
        value={form.outbound_speak_order}
        onChange={set('outbound_speak_order')}
        errors={err('outbound_speak_order')}
      >
        <option value="agent_first">The agent</option>
        <option value="caller_first">The person called</option>
      </SelectField>
      <TextField
        label="Longest hold (seconds)"
        name="max_hold_seconds"
        inputMode="numeric"
        value={form.max_hold_seconds}
        onChange={set('max_hold_seconds')}
        errors={err('max_hold_seconds')}
        hint="0–3600; empty for the platform default."
      />
      <SelectField
        label="Background sound"
        name="background_track"
        value={form.background_track}
        onChange={set('background_track')}
        errors={err('background_track')}
      >
        <option value="">Silence</option>
        <option value="CALL_CENTER">Call center</option>
      </SelectField>
      <TextField
        label="Language"
        name="primary_language"
        value={form.primary_language}
        onChange={set('primary_language')}
        errors={err('primary_language')}
        hint="BCP-47, e.g. en-US."
      />
      <TextField
        label="Other languages"
        name="additional_languages"
        value={form.additional_languages}
        onChange={set('additional_languages')}
        errors={err('additional_languages')}
        hint="Comma-separated, e.g. es-ES, fr-FR."
      />
      <TextArea
        label="Tools (JSON)"
        name="tools"
        rows={10}
        className="mono"
        spellCheck={false}
        value={form.tools}
        onChange={(e) => {
          set('tools')(e);
          setToolProblems([]);
        }}
        errors={[...toolProblems.map(([p, m]) => `${p}: ${m}`), ...serverToolErrors]}
        hint="Function tools the agent may call over HTTP; parameters are JSON Schema. Checked before saving."
      />
      <div className="row">
        <button
          type="button"
          className="btn btn-small"
          onClick={() => {
            const checked = checkTools(form.tools);
            const list = checked.tools ?? [];
            setForm((f) => ({ ...f, tools: JSON.stringify([...list, TOOL_TEMPLATE], null, 2) }));
          }}
        >
          Add a tool template
        </button>
      </div>
      <FormError error={save.error} shownFields={shown} />
      <div className="row">
        <button type="submit" className="btn btn-primary" value="deploy" disabled={save.isPending}>
          {save.isPending ? 'Saving…' : agent ? 'Save and deploy' : 'Create agent'}
        </button>
        {agent && (
          <button type="submit" className="btn" value="draft" disabled={save.isPending}>
            Save as draft
          </button>
        )}
        <LiveMessage message={saved} />
      </div>
    </form>
  );
}

export function AgentPage({ id }: { id: number | undefined }) {
  const agent = useQuery({
    queryKey: ['agents', id],
    queryFn: () => get<Agent>(`/v1/agents/${id}`),
    enabled: id !== undefined,
  });
  const qc = useQueryClient();
  const remove = useMutation({
    mutationFn: () => del(`/v1/agents/${id}`),
    onSuccess: () => {
      void qc.invalidateQueries({ queryKey: ['agents'] });
      navigate('/agents');
    },
  });
  if (id === undefined)
    return (
      <Page title="New agent" actions={<Link to="/agents">All agents</Link>}>
        <Section title="Settings">
          <AgentForm agent={undefined} />
        </Section>
      </Page>
    );
  if (agent.isPending) return <Loading label="Loading the agent…" />;
  if (agent.isError)
    return (
      <Page title="Agent">
        <ErrorState error={agent.error} />
      </Page>
    );
  const a = agent.data;
  return (
    <Page title={a.name} actions={<Link to="/agents">All agents</Link>}>
      <div className="call-grid">
        <Section title="Settings">
          <p className="hint">
            Calls use version {a.version}, deployed <Time iso={a.deployed_at} />.
          </p>
          <DraftNotice agent={a} onDone={(message) => (flash = message)} />
          {/* A new key after every deploy, draft save or discard: the form starts again from the working copy. */}
          <AgentForm agent={a} key={`${a.id}:${a.version}:${a.draft?.updated_at ?? ''}`} />
        </Section>
        <Section title="Talk to this agent">
          <TalkPanel agentId={a.id} />
        </Section>
        <Section title="Versions">
          <AgentVersions agentId={a.id} currentVersion={a.version} />
        </Section>
        <Section title="Delete">
          <p>Numbers that use this agent are left without one; past calls keep their history.</p>
          <button
            type="button"
            className="btn btn-danger"
            onClick={() => {
              if (window.confirm(`Delete the agent "${a.name}"?`)) remove.mutate();
            }}
          >
            Delete agent
          </button>
          <FormError error={remove.error} />
        </Section>
      </div>
    </Page>
  );
}
