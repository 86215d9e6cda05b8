// Pin-to-overlay latency against a real OBS: from the pin command to OBS reporting the new title (GetInputSettings),
// side by side with the floor — a bare obs-websocket-js SetInputSettings + GetInputSettings round trip — in one run,
// interleaved so both see the same machine load. Starts its own headless OBS with tests/helpers/obs.ts.
import fs from 'node:fs';
import path from 'node:path';
import { OBSWebSocket } from 'obs-websocket-js';
import { startHost } from '../electron/core/host.ts';
import { ObsModule } from '../electron/core/obs/module.ts';
import { PARTS, TEXT_INPUTS, cardTexts, initialSettings } from '../electron/core/obs/text-overlay.ts';
import { overlayOf } from '../electron/core/obs/module.ts';
import { obsAvailable, skipBanner, startObs } from '../tests/helpers/obs.ts';
import { root, tempDir } from '../tests/helpers/serve.ts';
import { createDeskModules } from '../electron/core/modules.ts';

const PINS = Number(process.env.LIVECUE_BENCH_PINS ?? 300);
const WARMUP = 30;

function pct(sorted: number[], p: number): number {
  const i = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return Math.round(sorted[i]! * 1000) / 1000;
}

export async function run(): Promise<Record<string, unknown>> {
  if (!obsAvailable()) {
    skipBanner('bench/obs.ts (pin-to-overlay)');
    return { pinToOverlay: { skipped: 'obs not installed' } };
  }
  const obs = await startObs();
  process.stderr.write(`bench obs: OBS ready in ${obs.startMs} ms\n`);
  const dataDir = tempDir();
  const module = new ObsModule({ options: { obs: obs.url }, env: { LIVECUE_OBS_PASSWORD: obs.password } });
  const host = await startHost({
    dataDir,
    resourcesDir: path.join(root, 'resources'),
    rendererDir: path.join(dataDir, 'no-ui'),
    version: 'bench',
    port: 0,
    banner: false,
    seedDemo: false,
    modules: [...createDeskModules(), module],
    log: () => {},
  });
  const peek = new OBSWebSocket();
  try {
    const core = host.core;
    const deadline = Date.now() + 20_000;
    while (module.link.state.connection !== 'connected' || (await core.call('obs.status')).textKind === null) {
      if (Date.now() > deadline) throw new Error(`LiveCue did not connect to OBS: ${JSON.stringify(await core.call('obs.status'))}`);
      await new Promise((r) => setTimeout(r, 50));
    }
    await module.settled();
    // the probe needs no events (they would queue in front of its responses)
    await peek.connect(obs.url, obs.password, { eventSubscriptions: 0 });
    // the floor's own text input, in the same scene, written by a bare client
    await peek.call('CreateInput', { sceneName: 'Scene', inputName: 'bench floor', inputKind: 'text_ft2_source_v2', inputSettings: { text: '' } });
    // a second reference: the very batch LiveCue sends (same three styled inputs, same texts) from a bare client, so
    // LiveCue's own overhead (SQLite commit, event, batch building) shows apart from OBS's text rendering
    for (const part of PARTS) {
      await peek.call('CreateInput', { sceneName: 'Scene', inputName: `bench ${part}`, inputKind: 'text_ft2_source_v2', inputSettings: initialSettings('text_ft2_source_v2', part) as never });
    }

    const products = [];
    for (let i = 0; i < 10; i++) products.push(await core.call('product.create', { title: `压测商品 Bench product ${i} 🎯`, price: 1000 + i, livePrice: 900 + i, coupon: i % 2 ? `券${i}` : null }));
    const session = await core.call('session.create', { title: 'bench', productIds: products.map((p) => p.id) });
    await core.call('session.start', { sessionId: session.id });

    // LiveCue's serial part before anything can go to OBS: the pin's SQLite transaction and the new session state,
    // up to the session.changed event (measured by a listener; it changes nothing on the path)
    let eventAt = 0;
    core.subscribe((e) => {
      if (e.type === 'session.changed' && !eventAt) eventAt = performance.now();
    });
    const toEventMs: number[] = [];
    const pinMs: number[] = [];
    const floorMs: number[] = [];
    const batchMs: number[] = [];
    for (let n = 0; n < PINS + WARMUP; n++) {
      const product = products[n % products.length]!;
      eventAt = 0;
      let t = performance.now();
      await core.call('session.pin', { sessionId: session.id, productId: product.id });
      const toEvent = eventAt - t;
      await module.settled();
      const seen = (await peek.call('GetInputSettings', { inputName: TEXT_INPUTS.title })).inputSettings as { text: string };
      const pinElapsed = performance.now() - t;
      if (seen.text !== product.title) throw new Error(`OBS shows "${seen.text}", expected "${product.title}"`);

      const text = `floor ${n}`;
      t = performance.now();
      await peek.call('SetInputSettings', { inputName: 'bench floor', inputSettings: { text } });
      const floor = (await peek.call('GetInputSettings', { inputName: 'bench floor' })).inputSettings as { text: string };
      const floorElapsed = performance.now() - t;
      if (floor.text !== text) throw new Error('floor text mismatch');

      const texts = cardTexts(overlayOf(await core.call('session.get', { sessionId: session.id }))!);
      t = performance.now();
      await peek.callBatch(
        PARTS.map((part) => ({ requestType: 'SetInputSettings', requestData: { inputName: `bench ${part}`, inputSettings: { text: texts[part] }, overlay: true } })) as never,
      );
      const same = (await peek.call('GetInputSettings', { inputName: 'bench title' })).inputSettings as { text: string };
      const batchElapsed = performance.now() - t;
      if (same.text !== product.title) throw new Error('batch reference text mismatch');
      if (n >= WARMUP) {
        pinMs.push(pinElapsed);
        toEventMs.push(toEvent);
        floorMs.push(floorElapsed);
        batchMs.push(batchElapsed);
      }
      if (n % 100 === 0) process.stderr.write(`bench obs: ${n}/${PINS + WARMUP}\n`);
    }
    pinMs.sort((a, b) => a - b);
    floorMs.sort((a, b) => a - b);
    batchMs.sort((a, b) => a - b);
    toEventMs.sort((a, b) => a - b);
    const ratio = (a: number, b: number) => Math.round((a / b) * 100) / 100;
    return {
      pinToOverlay: {
        p50Ms: pct(pinMs, 50),
        p95Ms: pct(pinMs, 95),
        floorP50Ms: pct(floorMs, 50),
        floorP95Ms: pct(floorMs, 95),
        pins: pinMs.length,
        sameBatchBareP50Ms: pct(batchMs, 50),
        sameBatchBareP95Ms: pct(batchMs, 95),
        // both references side by side: the literal floor (one input) and the same three-input batch sent bare
        p95VsFloor: ratio(pct(pinMs, 95), pct(floorMs, 95)),
        p95VsSameBatchBare: ratio(pct(pinMs, 95), pct(batchMs, 95)),
        p50VsFloor: ratio(pct(pinMs, 50), pct(floorMs, 50)),
        p50VsSameBatchBare: ratio(pct(pinMs, 50), pct(batchMs, 50)),
        pinToEventP50Ms: pct(toEventMs, 50),
        pinToEventP95Ms: pct(toEventMs, 95),
        obsVersion: (await core.call('obs.status')).obsVersion,
        obsStartMs: obs.startMs,
      },
    };
  } finally {
    await peek.disconnect().catch(() => {});
    await host.stop();
    await obs.stop();
    fs.rmSync(obs.home, { recursive: true, force: true });
    fs.rmSync(dataDir, { recursive: true, force: true });
  }
}

// `node bench/obs.ts` on its own prints the JSON part
if (import.meta.url === `file://${process.argv[1]}`) {
  run().then(
    (r) => console.log(JSON.stringify(r, null, 2)),
    (e: Error) => {
      console.error(e);
      process.exit(1);
    },
  );
}
