/**
 * Transformations in their sandbox: what a handler can do to a webhook, what
 * it cannot reach, and what happens when it loops, hoards memory, recurses
 * or throws. Herald's own process must come through all of it unchanged.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  createTransformer,
  type Transformer,
  type TransformInput,
  type TransformOutcome,
} from '../../src/delivery/transform/transformer.ts';

const MiB = 1024 * 1024;

function webhook(
  payload: unknown = { type: 'device.enrolled', data: { device_id: 'dev_1', site: 'berlin' } },
) {
  return {
    eventType: 'device.enrolled',
    eventId: 'evt_01TEST',
    endpointId: 'ep_1',
    method: 'POST',
    url: 'https://receiver.example.com/hooks',
    headers: { 'x-correlation-id': 'erp-7' },
    payload,
  } satisfies TransformInput;
}

function ok(outcome: TransformOutcome) {
  if (!outcome.ok) throw new Error(`expected the transform to succeed, it failed: ${outcome.message}`);
  return outcome;
}

function failure(outcome: TransformOutcome): string {
  if (outcome.ok)
    throw new Error(`expected the transform to fail, it returned ${JSON.stringify(outcome.webhook)}`);
  return outcome.message;
}

let t: Transformer;
const exitCodeBefore = process.exitCode;
let key = 0;
/** A key of its own per run, unless a test means to reuse one. */
const run = (source: string, input: TransformInput = webhook()) => t.run(`ep_${++key}:1`, source, input);

beforeAll(async () => {
  t = await createTransformer();
});

afterAll(() => {
  t.close();
  // Nothing a transform did (process.exit, a crash of the engine) reached Herald's process.
  expect(process.exitCode).toBe(exitCodeBefore);
});

describe('what a handler can do', () => {
  it('reshapes the body and the headers', () => {
    const out = ok(
      run(`function handler(webhook) {
        webhook.headers['x-source'] = 'herald';
        delete webhook.headers['x-correlation-id'];
        const d = webhook.payload.data;
        webhook.payload = { kind: webhook.payload.type, device: { id: d.device_id, site: d.site.toUpperCase() } };
        return webhook;
      }`),
    );
    expect(out.cancel).toBe(false);
    expect(out.webhook).toEqual({
      ...webhook(),
      headers: { 'x-source': 'herald' },
      payload: { kind: 'device.enrolled', device: { id: 'dev_1', site: 'BERLIN' } },
    });
    expect(out.durationUs).toBeGreaterThan(0);
  });

  it('renames the event type field', () => {
    const out = ok(
      run(`function handler(webhook) {
        const { type, ...rest } = webhook.payload;
        webhook.payload = { event_type: type, ...rest };
        return webhook;
      }`),
    );
    expect(out.webhook.payload).toEqual({
      event_type: 'device.enrolled',
      data: { device_id: 'dev_1', site: 'berlin' },
    });
  });

  it('wraps the body in an object of the receiver’s shape', () => {
    const out = ok(
      run(`function handler(webhook) {
        webhook.payload = { text: 'Device enrolled: ' + webhook.payload.data.device_id, meta: { id: webhook.eventId } };
        return webhook;
      }`),
    );
    expect(out.webhook.payload).toEqual({ text: 'Device enrolled: dev_1', meta: { id: 'evt_01TEST' } });
  });

  it('sees a batch as an array, and returns one', () => {
    const batch = [
      { type: 'a.created', data: { n: 1 } },
      { type: 'a.created', data: { n: 2 } },
    ];
    const out = ok(
      run(
        `function handler(webhook) {
          webhook.payload = { count: webhook.payload.length, items: webhook.payload.map((e) => e.data.n * 10) };
          return webhook;
        }`,
        webhook(batch),
      ),
    );
    expect(out.webhook.payload).toEqual({ count: 2, items: [10, 20] });
  });

  it('cancels a delivery, on whatever condition it likes', () => {
    const source = `function handler(webhook) {
      if (webhook.payload.data.site === 'lab') webhook.cancel = true;
      return webhook;
    }`;
    expect(ok(run(source, webhook({ data: { site: 'lab' } }))).cancel).toBe(true);
    expect(ok(run(source, webhook({ data: { site: 'berlin' } }))).cancel).toBe(false);
  });

  it('changes the method and the URL', () => {
    const out = ok(
      run(`function handler(webhook) {
        webhook.method = 'PUT';
        webhook.url = webhook.url + '/devices/' + webhook.payload.data.device_id;
        return webhook;
      }`),
    );
    expect(out.webhook.method).toBe('PUT');
    expect(out.webhook.url).toBe('https://receiver.example.com/hooks/devices/dev_1');
  });

  it('keeps the event type and id it was given, whatever it sets', () => {
    const out = ok(run(`function handler(w) { w.eventType = 'other'; w.eventId = 'x'; return w; }`));
    expect(out.webhook).toMatchObject({ eventType: 'device.enrolled', eventId: 'evt_01TEST' });
  });
});

describe('limits', () => {
  it('stops a transform that loops forever, and the next call on the same key works', () => {
    const source = `function handler(w) { if (w.payload.spin) { while (true) {} } return w; }`;
    const message = failure(t.run('ep_spin:1', source, webhook({ spin: true })));
    expect(message).toBe('transform timed out after 100 ms');
    expect(ok(t.run('ep_spin:1', source, webhook({ spin: false }))).webhook.payload).toEqual({ spin: false });
  });

  it('stops a transform that allocates without bound, and the next call on the same key works', async () => {
    const source = `function handler(w) {
      if (w.payload.hog) { let a = []; while (true) a.push(new Array(1e5).fill(1)); }
      return w;
    }`;
    await t.settled(); // a spare is ready to take over from the instance the runaway leaves bloated
    const peakBefore = process.resourceUsage().maxRSS * 1024;
    const restartsBefore = t.stats().restarts;
    expect(failure(t.run('ep_hog:1', source, webhook({ hog: true })))).toBe(
      'transform ran out of memory (limit 16 MiB)',
    );
    // The sandbox's memory has a ceiling (without one it grows to 2 GiB before QuickJS gives up) ...
    expect(process.resourceUsage().maxRSS * 1024 - peakBefore).toBeLessThan(400 * MiB);
    // ... and what the runaway took is given back: its sandbox was replaced by the spare.
    expect(t.stats().restarts).toBe(restartsBefore + 1);
    expect(t.stats().sandboxBytes).toBeLessThanOrEqual(64 * MiB);
    expect(ok(t.run('ep_hog:1', source, webhook({ hog: false }))).webhook.payload).toEqual({ hog: false });
  });

  it('holds a transform to its own memory limit, measured while it runs', async () => {
    const small = await createTransformer({ timeoutMs: 10_000, memoryBytes: 4 * MiB });
    try {
      const source = `const kept = []; function handler(w) {
        if (w.payload.hog) { for (let i = 0; ; i++) kept.push({ i, text: 'reading ' + i }); }
        return w;
      }`;
      const before = small.stats().sandboxBytes;
      expect(failure(small.run('ep_objects:1', source, webhook({ hog: true })))).toBe(
        'transform ran out of memory (limit 4 MiB)',
      );
      // Stopped at its own 4 MiB by measuring while it ran, inside what the sandbox already had:
      // neither QuickJS's own limit (it bounds allocations, not bytes) nor the sandbox's ceiling did it.
      expect(small.stats()).toMatchObject({ restarts: 0, sandboxBytes: before });
      // It starts afresh: what it kept is gone.
      expect(ok(small.run('ep_objects:1', source, webhook({ hog: false }))).ok).toBe(true);
    } finally {
      small.close();
    }
  });

  it('refuses recursion past the stack limit, and carries on', () => {
    const source = `function handler(w) { if (w.payload.deep) { const f = (n) => f(n + 1) + 1; f(0); } return w; }`;
    expect(failure(t.run('ep_deep:1', source, webhook({ deep: true })))).toBe(
      'transform exceeded the stack limit (recursion or nesting too deep)',
    );
    expect(ok(t.run('ep_deep:1', source, webhook({ deep: false }))).ok).toBe(true);
  });

  it('answers, never throws, however little host stack is left when it is called', async () => {
    const source = `function handler(w) { const f = (n) => (n === 0 ? 0 : f(n - 1) + 1); w.payload = f(150); return w; }`;
    const answers = new Map<string, number>();
    // Runs the transform at every depth of the host's stack until the stack is gone: on the way down V8's
    // stack runs out outside the transformer, inside it, inside the engine's frames, or not at all.
    const descend = (depth: number): number => {
      const outcome = t.run('ep_stack:1', source, webhook());
      const answer = outcome.ok ? 'ok' : outcome.message;
      answers.set(answer, (answers.get(answer) ?? 0) + 1);
      return descend(depth + 1) + 1;
    };
    expect(() => descend(0)).toThrow(RangeError);
    expect(answers.get('ok')).toBeGreaterThan(100);
    for (const answer of answers.keys()) {
      expect(answer).toMatch(
        /^(ok|transform exceeded the stack limit .*|transform failed: RangeError.*|the transform sandbox is not available .*)$/,
      );
    }
    // Whatever happened down there, the transformer works (in a replacement sandbox, after a fault).
    await t.settled();
    expect(ok(t.run('ep_stack:1', source, webhook())).webhook.payload).toBe(150);
    expect(process.exitCode).toBe(exitCodeBefore);
  });

  it('keeps the event loop turning: a call that runs out of time still returns', async () => {
    const source = `function handler(w) { while (true) {} }`;
    for (let i = 0; i < 3; i++) {
      expect(failure(t.run('ep_loop:1', source, webhook()))).toMatch(/timed out/);
      let turned = false;
      await new Promise<void>((resolve) =>
        setImmediate(() => {
          turned = true;
          resolve();
        }),
      );
      expect(turned).toBe(true);
    }
  });

  it('bounds what comes out', () => {
    expect(failure(run(`function handler(w) { w.payload = 'x'.repeat(2 * 1024 * 1024); return w; }`))).toBe(
      'the transform returned more than 1 MiB of JSON',
    );
  });

  it('bounds what goes in, to a quarter of the memory limit', () => {
    expect(failure(run(`function handler(w) { return w; }`, webhook('x'.repeat(5 * MiB))))).toMatch(
      /^the webhook is 5 MiB as JSON; a transform takes at most 4 MiB/,
    );
  });
});

describe('what a handler cannot reach', () => {
  it('has no host objects: no require, process, timers, fetch, std or os', () => {
    const out = ok(
      run(`function handler(w) {
        w.payload = {
          require: typeof require, process: typeof process, setTimeout: typeof setTimeout,
          setInterval: typeof setInterval, fetch: typeof fetch, std: typeof std, os: typeof os,
          console: typeof console, module: typeof module, Buffer: typeof Buffer, WebAssembly: typeof WebAssembly,
        };
        return w;
      }`),
    );
    expect(Object.values(out.webhook.payload as object).every((type) => type === 'undefined')).toBe(true);
  });

  it('has ECMAScript globals only', () => {
    const out = ok(
      run(`function handler(w) { w.payload = Object.getOwnPropertyNames(globalThis); return w; }`),
    );
    const standard = new Set(
      (
        'Object Function Array Number Boolean String Symbol BigInt Math JSON Reflect Date RegExp Promise Proxy ' +
        'Map Set WeakMap WeakSet WeakRef FinalizationRegistry Iterator ArrayBuffer SharedArrayBuffer DataView ' +
        'Int8Array Uint8Array Uint8ClampedArray Int16Array Uint16Array Int32Array Uint32Array Float16Array ' +
        'Float32Array Float64Array BigInt64Array BigUint64Array Error EvalError RangeError ReferenceError ' +
        'SyntaxError TypeError URIError AggregateError InternalError globalThis Infinity NaN undefined eval ' +
        'isFinite isNaN parseFloat parseInt decodeURI decodeURIComponent encodeURI encodeURIComponent escape ' +
        'unescape handler'
      ).split(' '),
    );
    expect((out.webhook.payload as string[]).filter((name) => !standard.has(name))).toEqual([]);
  });

  it.each([
    ['require', `require('fs')`, "transform threw: ReferenceError: 'require' is not defined (line 1)"],
    ['process.exit', `process.exit(3)`, "transform threw: ReferenceError: 'process' is not defined (line 1)"],
    [
      'setTimeout',
      `setTimeout(() => {}, 1)`,
      "transform threw: ReferenceError: 'setTimeout' is not defined (line 1)",
    ],
    [
      'fetch',
      `fetch('https://example.com')`,
      "transform threw: ReferenceError: 'fetch' is not defined (line 1)",
    ],
  ])('cannot call %s', (_name, call, message) => {
    expect(failure(run(`function handler(w) { ${call}; return w; }`))).toBe(message);
    expect(process.exitCode).toBe(exitCodeBefore);
  });

  it('cannot import modules: import() rejects, import statements do not compile', () => {
    const source = `let seen = 'not settled';
      function handler(w) {
        import('fs').then(() => { seen = 'loaded'; }, (e) => { seen = String(e); });
        w.payload = seen;
        return w;
      }`;
    // Promise callbacks run once the handler has returned: the second call reads what the first one saw.
    ok(t.run('ep_import:1', source, webhook()));
    expect(ok(t.run('ep_import:1', source, webhook())).webhook.payload).toBe(
      "ReferenceError: could not load module 'fs'",
    );
    expect(t.check(`import fs from 'fs';\nfunction handler(w) { return w; }`)).toMatch(
      /^SyntaxError: .*\(line 1, column \d+\)$/,
    );
  });

  it.each([
    ['the global constructor chain', `globalThis.constructor.constructor('return this')()`],
    ['eval', `eval('1 + 1')`],
    ['the Function constructor', `(function () {}).constructor('return 1')()`],
    ['the async function constructor', `(async function () {}).constructor('return 1')`],
    ['the generator function constructor', `(function* () {}).constructor('yield 1')`],
  ])('cannot compile code at run time through %s', (_name, expression) => {
    expect(failure(run(`function handler(w) { w.payload = ${expression}; return w; }`))).toMatch(
      /^transform threw: EvalError: transforms cannot compile code at run time/,
    );
  });

  it("cannot see another endpoint's globals", () => {
    ok(
      t.run(
        'ep_a:1',
        `function handler(w) { globalThis.secret = w.payload; return w; }`,
        webhook('tenant A data'),
      ),
    );
    const out = ok(
      t.run('ep_b:1', `function handler(w) { w.payload = typeof secret; return w; }`, webhook()),
    );
    expect(out.webhook.payload).toBe('undefined');
  });
});

describe('errors say what went wrong', () => {
  it('names the exception and the line', () => {
    const source = `function handler(webhook) {\n  const device = webhook.payload.device;\n  return device.id;\n}`;
    expect(failure(run(source))).toBe(
      "transform threw: TypeError: cannot read property 'id' of undefined (line 3)",
    );
  });

  it('reports a thrown value that is not an Error', () => {
    expect(failure(run(`function handler(w) { throw 'no such site'; }`))).toBe(
      'transform threw: no such site',
    );
    expect(failure(run(`function handler(w) { throw { code: 7 }; }`))).toBe('transform threw: {"code":7}');
  });

  it('says when no object comes back, or a Promise, or something JSON cannot hold', () => {
    expect(failure(run(`function handler(w) { w.payload = 1; }`))).toBe(
      'the transform returned no object (undefined); return the webhook',
    );
    expect(failure(run(`function handler(w) { return [w]; }`))).toBe(
      'the transform returned no object (array); return the webhook',
    );
    expect(failure(run(`async function handler(w) { return w; }`))).toMatch(/returned a Promise/);
    expect(
      failure(run(`function handler(w) { w.payload = {}; w.payload.self = w.payload; return w; }`)),
    ).toBe('the returned webhook is not JSON: TypeError: circular reference');
  });

  it('checks sources: syntax errors with line and column, a missing handler, load-time failures', () => {
    expect(t.check(`function handler(webhook) {\n  return webhook;\n}`)).toBeNull();
    expect(t.check(`const handler = (webhook) => webhook;`)).toBeNull();
    expect(t.check(`function handler(webhook) {\n  return webhook +;\n}`)).toBe(
      "SyntaxError: unexpected token in expression: ';' (line 2, column 19)",
    );
    expect(t.check(`function transform(webhook) { return webhook; }`)).toBe(
      'the transform does not define function handler(webhook)',
    );
    expect(t.check(`const table = lookup();\nfunction handler(w) { return w; }`)).toBe(
      "transform threw while loading (in top-level code): ReferenceError: 'lookup' is not defined (line 1)",
    );
    expect(t.check(`while (true) {}\nfunction handler(w) { return w; }`)).toBe(
      'transform timed out after 100 ms while loading (in top-level code)',
    );
    expect(t.check('')).toMatch(/^the transform is empty/);
    expect(t.check(`${'('.repeat(150)}1${')'.repeat(150)}`)).toBe(
      'the transform nests brackets 150 levels deep; at most 100 are allowed',
    );
    expect(t.check(`// ${'x'.repeat(70_000)}\nfunction handler(w) { return w; }`)).toMatch(
      /^the transform is 68\.\d KiB; at most 64 KiB is allowed$/,
    );
    // Compile failures come back from run() too, with the same message.
    expect(failure(run(`function handler(webhook) {\n  return webhook +;\n}`))).toMatch(/^SyntaxError/);
  });
});

describe('compiled once', () => {
  it('compiles a key once, however often it runs', async () => {
    const counted = await createTransformer();
    try {
      const source = `function handler(w) { w.headers['x-n'] = String(w.payload.n); return w; }`;
      for (let n = 0; n < 1000; n++) {
        expect(ok(counted.run('ep_hot:1700000000000', source, webhook({ n }))).webhook.headers['x-n']).toBe(
          String(n),
        );
      }
      expect(counted.stats()).toMatchObject({ compiles: 1, cached: 1, restarts: 0 });
      // A new version of the endpoint (a new key), or a new source under the old one, compiles again.
      ok(counted.run('ep_hot:1700000000001', source, webhook({ n: 1 })));
      ok(counted.run('ep_hot:1700000000001', `function handler(w) { return w; }`, webhook()));
      expect(counted.stats().compiles).toBe(3);
    } finally {
      counted.close();
    }
  });

  it('does not compile a broken source again, but does try again a load that ran out of time', async () => {
    const quick = await createTransformer({ timeoutMs: 20 });
    try {
      for (let i = 0; i < 5; i++)
        failure(quick.run('ep_broken:1', 'function handler(w) { return w +; }', webhook()));
      expect(quick.stats().compiles).toBe(1);
      const slow = 'while (true) {}\nfunction handler(w) { return w; }';
      for (let i = 0; i < 2; i++)
        expect(failure(quick.run('ep_slow:1', slow, webhook()))).toMatch(/while loading/);
      expect(quick.stats().compiles).toBe(3);
    } finally {
      quick.close();
    }
  });

  it('keeps the most recently used, up to its bound, and frees what it evicts', async () => {
    const bounded = await createTransformer({}, { maxCompiled: 10 });
    try {
      const source = `function handler(w) { w.payload = { seen: w.payload }; return w; }`;
      ok(bounded.run('ep_warm:1', source, webhook(0)));
      const start = bounded.stats().sandboxBytes;
      for (let i = 0; i < 2000; i++) {
        ok(bounded.run(`ep_${i}:1`, source, webhook(i)));
        if (i % 5 === 0) ok(bounded.run('ep_warm:1', source, webhook(i)));
      }
      const stats = bounded.stats();
      expect(stats.cached).toBe(10);
      // ep_warm was used all along, so it was never evicted: 2,000 compiles plus its first.
      expect(stats.compiles).toBe(2001);
      // Every evicted runtime was freed whole: the sandbox did not grow with 2,000 compiles, and no
      // handle was left behind (freeing a runtime that still has one would abort the engine: a restart).
      expect(stats.sandboxBytes - start).toBeLessThan(8 * MiB);
      expect(stats.restarts).toBe(0);
    } finally {
      bounded.close();
    }
  });

  it('answers, and no longer runs, once closed', async () => {
    const closing = await createTransformer();
    closing.close();
    expect(failure(closing.run('ep_x:1', 'function handler(w) { return w; }', webhook()))).toBe(
      'the transformer is closed',
    );
  });
});
