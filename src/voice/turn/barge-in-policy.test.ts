import { test } from 'node:test';
import assert from 'node:assert/strict';
import { BargeInPolicy, type AgentFloor } from './barge-in-policy';

const policy = new BargeInPolicy();
const speech = { type: 'speech_started', atMs: 1000 } as const;
const keypad = { type: 'keypad', digits: '1#' } as const;
const floor = (f: Partial<AgentFloor>): AgentFloor => ({ speaking: false, thinking: false, onHold: false, ...f });

test('caller speech interrupts the agent while it speaks or prepares an answer, never while it listens', () => {
  assert.equal(policy.shouldInterrupt(speech, floor({ speaking: true })), true);
  assert.equal(policy.shouldInterrupt(speech, floor({ thinking: true })), true);
  assert.equal(policy.shouldInterrupt(speech, floor({})), false, 'nothing to interrupt');
});

test('on hold, speech (hold music, IVR prompts) never interrupts; keypad entries still do', () => {
  assert.equal(policy.shouldInterrupt(speech, floor({ thinking: true, onHold: true })), false);
  assert.equal(policy.shouldInterrupt(keypad, floor({ thinking: true, onHold: true })), true);
  assert.equal(policy.shouldInterrupt(keypad, floor({ onHold: true })), false);
});
