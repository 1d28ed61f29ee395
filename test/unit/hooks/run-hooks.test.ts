import { DNS_CLIENT_CHANNEL, SYSMON_CHANNEL } from '../../../src/events/canonical-event.js';
import type { Hook, HookStage } from '../../../src/hooks/hook.js';
import { planHooks, runHooks } from '../../../src/hooks/run-hooks.js';
import { dnsClient3008, sysmon3, sysmon22 } from './event-factories.js';

type Log = string[];

function recorder(name: string, stage: HookStage, channel: string, eventIds: number[]): Hook<Log> {
  return {
    name,
    stage,
    selects: [{ channel, eventIds }],
    apply(event, log) {
      log.push(`${name}:${event.eventId}@${event.time}`);
    },
  };
}

describe('runHooks', () => {
  const events = [sysmon3({ time: 1 }), sysmon22({ time: 2 }), dnsClient3008({ time: 3 }), sysmon3({ time: 4 })];

  it('runs every pick over the batch before any poke, each in event then list order', () => {
    // Prepare
    const hooks = [
      recorder('poke-a', 'poke', SYSMON_CHANNEL, [3]),
      recorder('pick-a', 'pick', SYSMON_CHANNEL, [22]),
      recorder('pick-b', 'pick', DNS_CLIENT_CHANNEL, [3008]),
      recorder('pick-c', 'pick', SYSMON_CHANNEL, [3, 22]),
      recorder('poke-b', 'poke', SYSMON_CHANNEL, [3]),
    ];
    const log: Log = [];
    // Act
    runHooks(events, hooks, log);
    // Assess
    expect(log).toEqual([
      'pick-c:3@1',
      'pick-a:22@2',
      'pick-c:22@2',
      'pick-b:3008@3',
      'pick-c:3@4',
      'poke-a:3@1',
      'poke-b:3@1',
      'poke-a:3@4',
      'poke-b:3@4',
    ]);
  });

  it('selects by channel and event ID: other channels and IDs never reach a hook', () => {
    const log: Log = [];
    runHooks(
      events,
      [recorder('x', 'pick', 'Security', [3, 22]), recorder('y', 'poke', SYSMON_CHANNEL, [1, 3008])],
      log,
    );
    expect(log).toEqual([]);
  });

  it('runs a hook once per event even when it selects the same (channel, ID) twice', () => {
    const hook: Hook<Log> = {
      ...recorder('twice', 'pick', SYSMON_CHANNEL, [22]),
      selects: [
        { channel: SYSMON_CHANNEL, eventIds: [22, 22] },
        { channel: SYSMON_CHANNEL, eventIds: [22] },
      ],
    };
    const log: Log = [];
    runHooks(events, [hook], log);
    expect(log).toEqual(['twice:22@2']);
  });

  it('accepts a prebuilt plan and gives the same result', () => {
    const hooks = [recorder('pick-a', 'pick', SYSMON_CHANNEL, [22]), recorder('poke-a', 'poke', SYSMON_CHANNEL, [3])];
    const fromList: Log = [];
    const fromPlan: Log = [];
    runHooks(events, hooks, fromList);
    runHooks(events, planHooks(hooks), fromPlan);
    expect(fromPlan).toEqual(fromList);
    expect(fromPlan).toHaveLength(3);
  });

  it('does nothing on an empty batch', () => {
    const log: Log = [];
    runHooks([], [recorder('a', 'pick', SYSMON_CHANNEL, [3])], log);
    expect(log).toEqual([]);
  });
});
