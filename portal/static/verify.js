// Sijill's in-browser verifier: checks, on the reader's own machine and with no trust in
// the server's word, what an audit-trail page or a comment receipt claims.
//
// It uses only the browser's WebCrypto (Ed25519 and SHA-256) and follows the public
// contract (docs/spec/ledger-format.md): RFC 8785 canonical JSON, the entry's log signature, the
// `prev` chain of its stream, the RFC 9162 inclusion proof of each entry against the
// latest checkpoint, and the checkpoint's C2SP signed-note signature under the log keys
// typed in the page (which the reader compares with the keys published elsewhere). Which
// key signs which entry comes from the log itself: entry 0 names the first key, and each
// LogKeyRotated entry, signed by the key in force and by the next one, names the next
// (docs/key-rotation.md).
//
// One file, no dependencies, no build step: its SHA-256 is published in the README so a
// reader can check that the server ships the script the repository holds.
"use strict";

(function () {
  const enc = new TextEncoder();
  const dec = new TextDecoder("utf-8", { fatal: true });

  // Messages in the page's language, rendered by the server into the page.
  const labels = JSON.parse(document.getElementById("verify-labels").textContent);
  function say(key, values) {
    let text = labels[key] || key;
    for (const [name, value] of Object.entries(values || {})) {
      text = text.replace("{" + name + "}", String(value));
    }
    return text;
  }

  // A failed check: `key` names the message, `values` fill it in.
  class Failure extends Error {
    constructor(key, values) {
      super(say(key, values));
    }
  }
  function check(ok, key, values) {
    if (!ok) throw new Failure(key, values);
  }

  // RFC 8785: with integers below 2^53 only (the ledger's rule), JavaScript's own
  // serialisation of numbers and strings is the canonical one; members sort by UTF-16
  // code units, which is how JavaScript compares strings.
  function canonical(value) {
    if (Array.isArray(value)) return "[" + value.map(canonical).join(",") + "]";
    if (value !== null && typeof value === "object") {
      const keys = Object.keys(value).sort();
      return "{" + keys.map((k) => JSON.stringify(k) + ":" + canonical(value[k])).join(",") + "}";
    }
    return JSON.stringify(value);
  }

  function concat(...parts) {
    const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
    let at = 0;
    for (const p of parts) {
      out.set(p, at);
      at += p.length;
    }
    return out;
  }
  async function sha256(bytes) {
    return new Uint8Array(await crypto.subtle.digest("SHA-256", bytes));
  }
  function hex(bytes) {
    return Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");
  }
  function fromBase64(text) {
    const raw = atob(text);
    return Uint8Array.from(raw, (c) => c.charCodeAt(0));
  }
  function equal(a, b) {
    return a.length === b.length && a.every((x, i) => x === b[i]);
  }

  async function fetchBytes(path) {
    const response = await fetch(path, { cache: "no-store" });
    check(response.ok, "fetch_failed", { path: path, status: response.status });
    return new Uint8Array(await response.arrayBuffer());
  }

  // The log's note verifier key `<name>+<hex key ID>+<base64 of 0x01 || public key>`.
  async function parseLogKey(text) {
    // The name holds no "+", so the first two are the separators; the base64 may hold more.
    const key = text.trim();
    const first = key.indexOf("+");
    const second = key.indexOf("+", first + 1);
    check(first > 0 && second > first, "key_format");
    const parts = [key.slice(0, first), key.slice(first + 1, second), key.slice(second + 1)];
    let raw;
    try {
      raw = fromBase64(parts[2]);
    } catch (e) {
      throw new Failure("key_format");
    }
    check(raw.length === 33 && raw[0] === 1, "key_format");
    const name = parts[0];
    const id = (await sha256(concat(enc.encode(name), Uint8Array.of(0x0a), raw))).slice(0, 4);
    check(hex(id) === parts[1], "key_id");
    try {
      const imported = await crypto.subtle.importKey("raw", raw.slice(1), { name: "Ed25519" }, false, ["verify"]);
      return { name: name, id: id, key: imported, text: key };
    } catch (e) {
      throw new Failure("no_webcrypto");
    }
  }

  // The keys typed in the page, one per line (the lines of the export's log.pub).
  async function parseLogKeys(text) {
    const lines = text.split("\n").filter((line) => line.trim() !== "");
    check(lines.length > 0, "key_format");
    return Promise.all(lines.map(parseLogKey));
  }

  async function ed25519(key, signature, bytes) {
    return crypto.subtle.verify({ name: "Ed25519" }, key, signature, bytes);
  }

  function base64Signature(text) {
    try {
      return typeof text === "string" ? fromBase64(text) : new Uint8Array();
    } catch (e) {
      return new Uint8Array();
    }
  }

  // An entry's bytes as JSON, in canonical form, at its index.
  function parseEntry(index, bytes) {
    let text;
    let entry;
    try {
      text = dec.decode(bytes);
      entry = JSON.parse(text);
    } catch (e) {
      throw new Failure("not_json", { index: index });
    }
    check(canonical(entry) === text, "not_canonical", { index: index });
    check(entry.index === index, "wrong_index", { index: index });
    return entry;
  }

  // The log signature of an entry, under the key the chain says signs its index.
  async function checkLogSignature(chain, entry) {
    const unsigned = Object.assign({}, entry);
    delete unsigned.sig;
    const logSig = base64Signature(entry.sig);
    check(
      logSig.length === 64 && (await ed25519(chain.keyAt(entry.index).key, logSig, enc.encode(canonical(unsigned)))),
      "log_signature",
      { index: entry.index }
    );
  }

  // The log's keys, read from the log: entry 0 names the first; each rotation entry (the
  // page lists their indexes) is signed by the key in force, names the next key, and
  // carries that key's signature of the rotation message; the next key signs from the
  // entry after it. A server that left a rotation out would make later entries fail.
  async function keyChain(rotations) {
    const genesis = parseEntry(0, await fetchBytes("/v1/log/entries/0"));
    const data0 = genesis.data || {};
    const origin = data0.origin;
    const first = await parseLogKey(String(data0.log_key));
    check(first.name === origin, "rotation", { index: 0 });
    const spans = [{ from: 0, key: first }];
    const chain = {
      spans: spans,
      keyAt: (index) => spans.filter((span) => span.from <= index).pop().key,
    };
    await checkLogSignature(chain, genesis);
    for (const index of rotations) {
      const entry = parseEntry(index, await fetchBytes("/v1/log/entries/" + index));
      await checkLogSignature(chain, entry);
      const current = spans[spans.length - 1].key;
      const data = entry.data || {};
      check(
        entry.type === "LogKeyRotated" &&
          entry.stream === "log/key" &&
          data.previous_log_key === current.text &&
          data.tree_size === index,
        "rotation",
        { index: index }
      );
      const next = await parseLogKey(String(data.log_key));
      check(next.name === origin && !spans.some((span) => span.key.text === next.text), "rotation", { index: index });
      const message = canonical({
        log_key: data.log_key,
        origin: origin,
        previous_log_key: data.previous_log_key,
        root: data.root,
        tree_size: data.tree_size,
      });
      const sig = base64Signature(data.log_key_sig);
      check(sig.length === 64 && (await ed25519(next.key, sig, enc.encode(message))), "rotation", { index: index });
      spans.push({ from: index + 1, key: next });
    }
    return chain;
  }

  // The keys that may sign the checkpoint: a key the reader trusts, or one it (in turn)
  // rotated to. A key older than every trusted one may not, or a thief of an old key could
  // rewrite the history before a rotation.
  function checkpointKeys(trusted, chain) {
    const first = chain.spans.findIndex((span) => trusted.some((key) => key.text === span.key.text));
    check(first >= 0, "key_untrusted");
    return chain.spans.slice(first).map((span) => span.key);
  }

  // A C2SP tlog-checkpoint in a signed note, checked under the log keys allowed to sign it.
  async function verifyCheckpoint(logKeys, note) {
    const cut = note.indexOf("\n\n");
    check(cut > 0, "checkpoint_format");
    const text = note.slice(0, cut + 1);
    const lines = text.split("\n");
    check(lines.length >= 4 && lines[0] === logKeys[0].name, "checkpoint_origin", { origin: lines[0] });
    check(/^(0|[1-9][0-9]*)$/.test(lines[1]), "checkpoint_format");
    const size = Number(lines[1]);
    const root = fromBase64(lines[2]);
    check(root.length === 32, "checkpoint_format");
    let signed = false;
    for (const line of note.slice(cut + 2).split("\n")) {
      const match = /^\u2014 (\S+) (\S+)$/.exec(line);
      if (!match) continue;
      const sig = base64Signature(match[2]);
      const logKey = logKeys.find((key) => key.name === match[1] && sig.length === 68 && equal(sig.slice(0, 4), key.id));
      if (!logKey) continue;
      signed = await ed25519(logKey.key, sig.slice(4), enc.encode(text));
      if (signed) break;
    }
    check(signed, "checkpoint_signature");
    return { size: size, root: root };
  }

  // RFC 9162 section 2.1.3.2: the root an inclusion proof leads to.
  async function rootFromInclusion(index, size, leafHash, path) {
    let fn = index;
    let sn = size - 1;
    let r = leafHash;
    const node = (l, rr) => sha256(concat(Uint8Array.of(1), l, rr));
    for (const p of path) {
      if (sn === 0) return null;
      if (fn % 2 === 1 || fn === sn) {
        r = await node(p, r);
        if (fn % 2 === 0) {
          while (fn % 2 === 0 && fn !== 0) {
            fn = Math.floor(fn / 2);
            sn = Math.floor(sn / 2);
          }
        }
      } else {
        r = await node(r, p);
      }
      fn = Math.floor(fn / 2);
      sn = Math.floor(sn / 2);
    }
    return sn === 0 ? r : null;
  }

  async function verifyInclusion(index, bytes, checkpoint) {
    check(index < checkpoint.size, "not_covered", { index: index });
    const proof = JSON.parse(
      dec.decode(await fetchBytes("/v1/log/proof/inclusion?index=" + index + "&size=" + checkpoint.size))
    );
    const leaf = await sha256(concat(Uint8Array.of(0), bytes));
    const root = await rootFromInclusion(index, checkpoint.size, leaf, proof.hashes.map(fromBase64));
    check(root !== null && equal(root, checkpoint.root), "inclusion", { index: index });
  }

  // One entry's own checks: canonical bytes, its index, its log signature, and the
  // signature of the actor's statement when it carries one.
  async function verifyEntry(chain, index, bytes) {
    const entry = parseEntry(index, bytes);
    await checkLogSignature(chain, entry);
    if (entry.auth) {
      const actor = await crypto.subtle.importKey("raw", fromBase64(entry.auth.actor), { name: "Ed25519" }, false, [
        "verify",
      ]);
      const ok = await ed25519(actor, fromBase64(entry.auth.sig), enc.encode(canonical(entry.auth.statement)));
      check(ok && entry.auth.statement.stream === entry.stream, "actor_signature", { index: index });
    }
    return entry;
  }

  // The audit trail of one stream: every entry listed on the page, in order.
  async function verifyStream(chain, checkpoint, stream, indexes, mark) {
    let prev = "0".repeat(64);
    let seq = 0;
    for (const index of indexes) {
      const bytes = await fetchBytes("/v1/log/entries/" + index);
      const entry = await verifyEntry(chain, index, bytes);
      check(entry.stream === stream, "wrong_stream", { index: index });
      seq += 1;
      check(entry.seq === seq && entry.prev === prev, "prev_chain", { index: index });
      prev = hex(await sha256(bytes));
      await verifyInclusion(index, bytes, checkpoint);
      mark(index);
    }
  }

  // A comment receipt `{"index", "entry_hash", "entry"}` as the server gave it.
  async function verifyReceipt(chain, checkpoint, receipt) {
    check(receipt && typeof receipt.entry === "object" && Number.isSafeInteger(receipt.index), "receipt_format");
    const bytes = enc.encode(canonical(receipt.entry));
    check(hex(await sha256(bytes)) === receipt.entry_hash, "receipt_hash");
    await verifyEntry(chain, receipt.index, bytes);
    await verifyInclusion(receipt.index, bytes, checkpoint);
  }

  function show(output, ok, message) {
    output.textContent = message;
    output.className = ok ? "verified" : "failed";
  }

  async function run(button) {
    const output = document.getElementById("verify-result");
    const marks = document.querySelectorAll("[data-verified-index]");
    marks.forEach((m) => ((m.textContent = ""), (m.className = "")));
    button.disabled = true;
    show(output, true, say("running"));
    output.className = "";
    try {
      check(window.crypto && crypto.subtle, "no_webcrypto");
      const trusted = await parseLogKeys(document.getElementById("log-key").value);
      const rotations = (button.dataset.rotations || "").split(",").filter((i) => i !== "").map(Number);
      const chain = await keyChain(rotations);
      const checkpoint = await verifyCheckpoint(
        checkpointKeys(trusted, chain),
        dec.decode(await fetchBytes("/v1/log/checkpoint"))
      );
      if (button.dataset.stream) {
        const indexes = button.dataset.indexes.split(",").map(Number);
        await verifyStream(chain, checkpoint, button.dataset.stream, indexes, (index) => {
          const mark = document.querySelector("[data-verified-index='" + index + "']");
          if (mark) {
            mark.textContent = say("entry_ok");
            mark.className = "verified";
          }
        });
        show(output, true, say("stream_ok", { count: indexes.length, size: checkpoint.size }));
      } else {
        const file = document.getElementById("receipt-file").files[0];
        check(file, "receipt_missing");
        let receipt;
        try {
          receipt = JSON.parse(await file.text());
        } catch (e) {
          throw new Failure("receipt_format");
        }
        await verifyReceipt(chain, checkpoint, receipt);
        show(output, true, say("receipt_ok", { index: receipt.index, size: checkpoint.size }));
      }
    } catch (e) {
      show(output, false, say("failed", { reason: e instanceof Failure ? e.message : String(e) }));
    } finally {
      button.disabled = false;
    }
  }

  const button = document.getElementById("verify");
  button.hidden = false;
  button.addEventListener("click", () => run(button));
})();
