// Redaction of a call's secrets, with the Rust host's rules
// (`host-test-harness/src/secrets.rs`): every secret value, every
// `user:secret` credential a Basic connection builds from one of the
// connection's values, and every `Authorization` value a request carried,
// each in every form it can take in text (itself, JSON-escaped, base64
// standard and URL-safe, padded and not, the stretch of its base64 that does
// not depend on what surrounds it, and the percent- and form-encodings of
// all of these), replaced by `REDACTED`.

/** What recorded HARs and redacted text hold in place of a secret. */
export const REDACTED = 'REDACTED';

/** Values shorter than this many bytes are never redacted. */
const MIN_REDACTED_LEN = 4;

/** `text` with every byte but `A-Z a-z 0-9 - . _ ~` as `%XX`. */
function percentEncode(text, lower) {
  let out = '';
  for (const byte of Buffer.from(text, 'utf8')) {
    const c = String.fromCharCode(byte);
    if (/[A-Za-z0-9\-._~]/.test(c)) out += c;
    else {
      const hex = byte.toString(16).padStart(2, '0');
      out += `%${lower ? hex : hex.toUpperCase()}`;
    }
  }
  return out;
}

/** Base64 of `bytes`: standard or URL-safe, padded or not. */
function base64(bytes, urlSafe, padded) {
  let text = Buffer.from(bytes).toString('base64');
  if (urlSafe) text = text.replace(/\+/g, '-').replace(/\//g, '_');
  return padded ? text : text.replace(/=+$/, '');
}

/** Every form `value` takes in text (see the module comment). */
export function formsOf(value) {
  const bytes = Buffer.from(value, 'utf8');
  const plain = [value, JSON.stringify(value).slice(1, -1)];
  for (const [urlSafe, padded] of [[false, true], [false, false], [true, true], [true, false]]) {
    plain.push(base64(bytes, urlSafe, padded));
  }
  // Inside a longer base64 text the value starts at one of three offsets in
  // a 3-byte group; the 4-character groups made of its bytes alone are the
  // same whatever surrounds it.
  for (const offset of [1, 2]) {
    const shifted = Buffer.concat([Buffer.alloc(offset), bytes]);
    const whole = Math.floor(shifted.length / 3) * 4;
    for (const urlSafe of [false, true]) {
      if (whole > 4) plain.push(base64(shifted, urlSafe, false).slice(4, whole));
    }
  }
  const whole = Math.floor(bytes.length / 3) * 4;
  for (const urlSafe of [false, true]) plain.push(base64(bytes, urlSafe, false).slice(0, whole));
  return plain.flatMap((form) => [
    form,
    percentEncode(form, false),
    percentEncode(form, true),
    new URLSearchParams({ v: form }).toString().slice(2),
  ]);
}

/**
 * Replaces every form of the values it knows with `REDACTED`; it learns the
 * `Authorization` values of the requests it is shown.
 */
export class Redactor {
  #values = new Set();
  #forms = [];
  /** The forms that contain no other form: a text without any of them has none at all. */
  #minimal = [];

  /**
   * A redactor for `secrets` (key to value) used through a connection with
   * these `values` (any string among them may be a Basic user name).
   */
  constructor(secrets = {}, values = {}) {
    const users = [];
    for (const value of Object.values(values)) {
      if (typeof value !== 'string') continue;
      users.push(value);
      if (value.trim() !== value) users.push(value.trim());
    }
    const known = [];
    for (const secret of Object.values(secrets)) {
      if (typeof secret !== 'string' || secret.length < MIN_REDACTED_LEN || secret === REDACTED) continue;
      known.push(secret, ...users.map((user) => `${user}:${secret}`));
    }
    this.#add(known);
  }

  /**
   * Redacts from now on the `Authorization` value a request carried: the
   * whole value, the credential after the scheme and, for Basic, the
   * decoded `user:password` and the password.
   */
  learnAuthorization(authorization) {
    const value = String(authorization).trim();
    const space = value.indexOf(' ');
    const scheme = space < 0 ? '' : value.slice(0, space);
    const credential = space < 0 ? value : value.slice(space + 1).trim();
    const values = [value, credential];
    if (scheme.toLowerCase() === 'basic') {
      const pair = Buffer.from(credential, 'base64').toString('utf8');
      const colon = pair.indexOf(':');
      if (colon >= 0) {
        const password = pair.slice(colon + 1);
        if (password === REDACTED) return;
        if (password.length >= MIN_REDACTED_LEN) values.push(pair, password);
      }
    } else if (credential === REDACTED) {
      return;
    }
    this.#add(values);
  }

  #add(values) {
    let added = false;
    for (const value of values) {
      if (Buffer.byteLength(value) >= MIN_REDACTED_LEN && value !== REDACTED && !this.#values.has(value)) {
        this.#values.add(value);
        added = true;
      }
    }
    if (!added) return;
    const forms = new Set();
    for (const value of this.#values) {
      for (const form of formsOf(value)) {
        if (Buffer.byteLength(form) >= MIN_REDACTED_LEN && form !== REDACTED) forms.add(form);
      }
    }
    // Longest first, so a form containing another is replaced whole.
    this.#forms = [...forms].sort((a, b) => Buffer.byteLength(b) - Buffer.byteLength(a) || (a < b ? -1 : 1));
    this.#minimal = this.#forms.filter((form) => !this.#forms.some((other) => other !== form && form.includes(other)));
  }

  /** `text` with every form of every value replaced by `REDACTED`. */
  redact(text) {
    let out = String(text);
    // One scan per minimal form in the usual case, where there is nothing to hide.
    if (!this.#minimal.some((form) => out.includes(form))) return out;
    for (const form of this.#forms) {
      if (out.includes(form)) out = out.split(form).join(REDACTED);
    }
    return out;
  }

  /** `bytes` (a Buffer) with every form of every value replaced, searched in the raw bytes. */
  redactBytes(bytes) {
    let out = Buffer.from(bytes);
    if (!this.#minimal.some((form) => out.includes(form))) return out;
    for (const form of this.#forms) {
      const needle = Buffer.from(form, 'utf8');
      let at = out.indexOf(needle);
      if (at < 0) continue;
      const parts = [];
      let from = 0;
      while (at >= 0) {
        parts.push(out.subarray(from, at), Buffer.from(REDACTED));
        from = at + needle.length;
        at = out.indexOf(needle, from);
      }
      parts.push(out.subarray(from));
      out = Buffer.concat(parts);
    }
    return out;
  }
}
