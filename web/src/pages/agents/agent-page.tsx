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
import { PRODUCTS, analysisBody, toBody, toForm, type FormState } from './agent-form-state';
import { VOICEMAIL_FIELDS, VoicemailSection } from './voicemail-section';
import { BARGE_IN_FIELDS, BargeInSection } from './barge-in-section';
import { ANALYSIS_FIELDS, AnalysisSection } from './analysis-section';

/** A message for the next AgentForm (creating an agent moves to its own page, a new form). */
let flash: string | null = null;
const takeFlash = () => {
  const m = flash;
  flash = null;
  return m;
};

function AgentForm({ agent }: { agent: Agent | undefined }) {
  const voices = useVoices();
  const qc = useQueryClient();
  const [form, setForm] = useState<FormState>(() => toForm(agent, ''));
  const [toolProblems, setToolProblems] = useState<[string, string][]>([]);
  const [schemaProblem, setSchemaProblem] = useState<string | null>(null);
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
    const analysis = analysisBody(form.analysis);
    setSchemaProblem(analysis.ok ? null : analysis.problem);
    if (!checked.tools || !analysis.ok) {
      save.reset(); // the server's earlier field errors no longer describe the form
      return;
    }
    save.mutate({ body: toBody(form, checked.tools, analysis.value), asDraft });
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
    ...VOICEMAIL_FIELDS,
    'barge_in',
    ...BARGE_IN_FIELDS,
    'post_call_analysis',
    ...ANALYSIS_FIELDS,
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
      <BargeInSection
        value={form.barge_in}
        onChange={(v) => setForm((f) => ({ ...f, barge_in: v }))}
        error={save.error}
      />
      <VoicemailSection
        value={form.voicemail}
        onChange={(v) => setForm((f) => ({ ...f, voicemail: v }))}
        error={save.error}
      />
      <AnalysisSection
        value={form.analysis}
        onChange={(v) => {
          if (v.extraction_schema !== form.analysis.extraction_schema) setSchemaProblem(null);
          setForm((f) => ({ ...f, analysis: v }));
        }}
        error={save.error}
        schemaProblem={schemaProblem}
      />
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
