import { loadFlowOrThrow } from '../../../flows/index.ts';
import reservations from '../../../flows/reservations.flow.json';
import { initialSnapshot, step } from '../../../widget/engine/index.ts';
import { createLocalUnderstanding } from '../../../widget/local-understanding.ts';

const flow = loadFlowOrThrow(reservations);
const understand = createLocalUnderstanding(flow);
let snapshot = initialSnapshot(flow);
const now = Date.parse('2026-11-23T10:00:00Z');
snapshot = step(flow, snapshot, { type: 'session.start', sessionId: 'browser' }, { now }).snapshot;
const typed = step(flow, snapshot, { type: 'user.text', text: 'I want to make a reservation' }, { now });
snapshot = typed.snapshot;
const classify = typed.effects.find((effect) => effect.type === 'classify');
if (classify) {
  snapshot = step(flow, snapshot, { type: 'nlu.result', requestId: classify.requestId, ...understand(classify, now) }, { now }).snapshot;
}
document.body.dataset.state = snapshot.state;
