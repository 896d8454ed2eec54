// Records the cases of Enketo's openrosa-xpath-evaluator integration tests as JSON lines.
//
// Usage: TZ=America/Phoenix node record_enketo.js TESTDIR > enketo.raw.jsonl
// TESTDIR is the test/ folder of https://github.com/enketo/openrosa-xpath-evaluator.
// The spec files run unchanged against a recording helpers.js and a recording `chai`:
// every assertion becomes one line {file, title, expression, type, check, expected,
// node, fixture}; nothing is evaluated here. Aigak's evaluator is then checked against
// the lines by test_public_xpath_cases.py.
'use strict';
const fs = require('fs');
const path = require('path');
const Module = require('module');

const testDir = path.resolve(process.argv[2]);

// Tests that build dates from the clock (today, yesterday) read a fixed moment, so the
// recorded cases hold on any day; the cases are evaluated with `--now` at the same one.
const RECORDED_AT = Date.parse(process.env.RECORD_NOW || '2026-12-04T12:00:00Z');
const RealDate = Date;
global.Date = class extends RealDate {
  constructor(...args) { if (args.length) super(...args); else super(RECORDED_AT); }
  static now() { return RECORDED_AT; }
};
let current = { file: '', title: '' };
let fixture = null;
let customDoc = false;

let emitted = 0;
function emit(record) {
  emitted += 1;
  if (emitted > 200) throw new Error('too many records in one test');
  process.stdout.write(JSON.stringify({
    file: current.file, title: current.title, fixture, custom_doc: customDoc, ...record,
  }) + '\n');
}

const NODE = Symbol('node');
function nodeMarker() {
  return new Proxy(function () {}, {
    get: (target, prop) => (prop === NODE ? true : prop === Symbol.toPrimitive ? () => '' : nodeMarker()),
    apply: () => nodeMarker(),
  });
}
const isNode = (v) => typeof v === 'function' && v[NODE] === true;

class Result {
  constructor(expression, type, node) { Object.assign(this, { expression, type, node }); }
}
const TYPES = { 1: 'number', 2: 'string', 3: 'boolean' };
function evalRecord(expression, node, type) {
  const name = TYPES[type] || 'any';
  const asNode = node !== null && node !== undefined && isNode(node);
  const make = (t) => new Result(expression, t, asNode);
  return {
    get stringValue() { return make('string'); },
    get numberValue() { return make('number'); },
    get booleanValue() { return make('boolean'); },
    get resultType() { return make(name); },
    get snapshotLength() { return make('nodes'); },
    snapshotItem() { return make('nodes'); },
    iterateNext() { return null; },
    get singleNodeValue() { return make('nodes'); },
  };
}

function fakeDoc() {
  const doc = nodeMarker();
  return new Proxy(doc, {
    get: (target, prop) => {
      if (prop === 'xEval' || prop === 'evaluate') return (e, n, r) => evalRecord(e, n, r);
      return target[prop];
    },
  });
}

function check(actual, check, expected) {
  if (actual instanceof Result) {
    emit({ expression: actual.expression, type: actual.type, node: actual.node, check,
      expected: typeof expected === 'number' && !isFinite(expected) ? String(expected) : expected });
  } else if (typeof actual === 'function' && check === 'throws') {
    try { actual(); } catch (e) { /* recorded inside */ }
  }
}

const chai = {
  assert: Object.assign((v) => check(v, 'ok', true), {
    equal: (a, e) => check(a, 'equal', e),
    strictEqual: (a, e) => check(a, 'equal', e),
    deepEqual: (a, e) => check(a, 'equal', e),
    isTrue: (a) => check(a, 'equal', true),
    isFalse: (a) => check(a, 'equal', false),
    ok: (a) => check(a, 'ok', true),
    notOk: (a) => check(a, 'ok', false),
    isNaN: (a) => check(a, 'equal', 'NaN'),
    match: (a, re) => check(a, 'match', String(re)),
    throw: (fn) => { throwing = true; try { fn(); } catch (e) { /* */ } throwing = false; },
    throws: (fn) => { throwing = true; try { fn(); } catch (e) { /* */ } throwing = false; },
    isNull: (a) => check(a, 'nodes', null),
    isNotNull: (a) => check(a, 'nodes', null),
    instanceOf: (a) => check(a, 'nodes', null),
    typeOf: (a, t) => check(a, 'typeof', t),
    include: (a, e) => check(a, 'include', e),
  }),
};
let throwing = false;

function initDoc(xml) { customDoc = Boolean(xml); return fakeDoc(); }
function simpleValueIs(text) { fixture = text; return fakeDoc(); }
function lastArgs(args, count) {
  const needed = args.slice(-count);
  const before = args.slice(0, -count);
  if (before.length && before[before.length - 1]) fixture = before[before.length - 1];
  const node = before.length > 1 ? before[before.length - 2] : null;
  return { needed, node };
}
function record(args, count, type, check, transform) {
  const { needed, node } = lastArgs(args, count);
  const expected = count === 1 ? null : needed[1];
  emit({ expression: needed[0], type, node: Boolean(node) && isNode(node), check,
    expected: transform ? transform(expected) : expected });
}
const num = (e) => (typeof e === 'number' && !isFinite(e) ? String(e) : typeof e === 'string' ? Number(e) : e);
const helpers = {
  initDoc, simpleValueIs, nsResolver: {}, filterAttributes: () => [],
  getNextChildElementNode: nodeMarker, getAllNodes: () => [], snapshotToArray: () => [],
  setAttribute: () => {}, assert: chai.assert,
  assertTrue: (...a) => record(a, 1, 'boolean', 'equal', () => true),
  assertFalse: (...a) => record(a, 1, 'boolean', 'equal', () => false),
  assertBoolean: (...a) => { const v = a.pop(); record(a, 1, 'boolean', 'equal', () => Boolean(v)); },
  assertString: (...a) => record(a, 2, 'string', 'equal'),
  assertStringValue: (...a) => record(a, 2, 'string', 'equal'),
  assertStringLength: (...a) => record(a, 2, 'string', 'length'),
  assertMatch: (...a) => record(a, 2, 'string', 'match', String),
  assertNumber: (...a) => record(a, 2, 'number', 'equal', num),
  assertNumberValue: (...a) => record(a, 2, 'number', 'equal', num),
  assertThrow: (e) => emit({ expression: e, type: 'any', node: false, check: 'error', expected: null }),
  assertNumberRounded: (e, expected, factor, node) => emit({ expression: e, type: 'number',
    node: Boolean(node), check: 'rounded', expected: [expected, factor] }),
  assertNodes: (e) => emit({ expression: e, type: 'nodes', node: false, check: 'nodes', expected: null }),
  assertUnorderedNodes: (e) => emit({ expression: e, type: 'nodes', node: false, check: 'nodes', expected: null }),
};
const lodash = { times: (n, f) => Array.from({ length: n }, (_, i) => f(i)), forEach: (o, f) => (Array.isArray(o) ? o.forEach(f) : Object.keys(o).forEach((k) => f(o[k], k))) };

const originalResolve = Module._resolveFilename;
Module._resolveFilename = function (request, ...rest) {
  if (request === 'chai' || request === 'lodash' || /helpers$/.test(request) || /dbg$/.test(request)) return request;
  return originalResolve.call(this, request, ...rest);
};
const originalLoad = Module._load;
Module._load = function (request, ...rest) {
  if (request === 'chai') return chai;
  if (request === 'lodash') return lodash;
  if (/helpers$/.test(request)) return helpers;
  if (/dbg$/.test(request)) return { toDbgString: String };
  return originalLoad.call(this, request, ...rest);
};

const stack = [];
const hooks = [[]];
global.describe = (title, fn) => {
  stack.push(title); hooks.push([]);
  try { fn(); } finally { stack.pop(); hooks.pop(); }
};
global.describe.skip = () => {};
global.describe.only = global.describe;
global.xdescribe = () => {};
global.it = (title, fn) => {
  current = { file: current.file, title: [...stack, title].join(' / ') };
  fixture = null; customDoc = false; emitted = 0;
  if (!fn) return;
  try { hooks.flat().forEach((hook) => hook(() => {})); fn(() => {}); } catch (e) { emit({ expression: null, check: 'harness-error', expected: String(e) }); }
};
global.it.skip = () => {};
global.it.only = global.it;
global.xit = () => {};
global.beforeEach = (fn) => hooks[hooks.length - 1].push(fn);
global.before = (fn) => { try { fn(() => {}); } catch (e) { /* recorded by the cases */ } };
global.after = global.afterEach = () => {};
global.XPathResult = { ANY_TYPE: 0, NUMBER_TYPE: 1, STRING_TYPE: 2, BOOLEAN_TYPE: 3,
  UNORDERED_NODE_ITERATOR_TYPE: 4, ORDERED_NODE_ITERATOR_TYPE: 5,
  UNORDERED_NODE_SNAPSHOT_TYPE: 6, ORDERED_NODE_SNAPSHOT_TYPE: 7,
  ANY_UNORDERED_NODE_TYPE: 8, FIRST_ORDERED_NODE_TYPE: 9 };
global.Node = { ELEMENT_NODE: 1, ATTRIBUTE_NODE: 2, TEXT_NODE: 3, DOCUMENT_NODE: 9 };
global.DOMParser = function () { this.parseFromString = () => fakeDoc(); };
global.document = fakeDoc();
global.window = global;

function specs(dir) {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) return specs(full);
    return entry.name.endsWith('.spec.js') ? [full] : [];
  }).sort();
}
// XPath axes over a DOM (child::, ancestor::, ...): its loops walk real nodes, which
// the recorder does not have; none of it is expressible in XLSForm.
const SKIPPED = ['integration/native/axis.spec.js'];
for (const file of specs(path.join(testDir, 'integration'))) {
  current = { file: path.relative(testDir, file), title: '' };
  if (SKIPPED.includes(current.file)) {
    const asserts = (fs.readFileSync(file, 'utf8').match(/assert[A-Za-z]*[.(]/g) || []).length;
    emit({ expression: null, check: 'skipped-file', expected: asserts });
    continue;
  }
  if (process.env.TRACE) process.stderr.write(file + '\n');
  try { require(file); } catch (e) { emit({ expression: null, check: 'harness-error', expected: String(e) }); }
}
