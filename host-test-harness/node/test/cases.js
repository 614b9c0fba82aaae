// The cross-host cases (../tests/cross-host/cases.json) and how they write a
// call's answer, for the tests that run them.

import { readFileSync } from 'node:fs';

export const tests = new URL('../../tests/', import.meta.url);
export const doc = JSON.parse(readFileSync(new URL('cross-host/cases.json', tests), 'utf8'));

/** An output as the cases write it (binary as base64, empty as null). */
export function outputJson(out) {
  const body =
    out.kind === 'binary' ? Buffer.from(out.body).toString('base64') : out.kind === 'empty' ? null : out.body;
  return { status: out.status, contentType: out.contentType ?? null, kind: out.kind, body };
}

/** An error as the cases write it. */
export function errorJson(e) {
  if (!e.kind) throw e;
  const error = { kind: e.kind, message: e.message };
  if (e.field !== undefined) error.field = e.field;
  if (e.status !== undefined) error.status = e.status;
  return { error };
}

/** The answer of a call (its promise) as the cases write it: the output, or the error. */
export function outcome(promise) {
  return promise.then(outputJson, errorJson);
}
