// Sijill's in-browser verifier: checks, on the reader's own machine and with no trust in
// the server's word, what an audit-trail page or a comment receipt claims.
//
// It uses only the browser's WebCrypto (Ed25519 and SHA-256) and follows the public
// contract (ledger-format.md): RFC 8785 canonical JSON, the entry's log signature, the
// `prev` chain of its stream, the RFC 9162 inclusion proof of each entry against the
// latest checkpoint, and the checkpoint's C2SP signed-note signature under the log key
// typed in the page (which the reader compares with the key published elsewhere).
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
      return { name: name, id: id, key: imported };
    } catch (e) {
      throw new Failure("no_webcrypto");
    }
  }

  async function ed25519(key, signature, bytes) {
    return crypto.subtle.verify({ name: "Ed25519" }, key, signature, bytes);
  }

  // A C2SP tlog-checkpoint in a signed note, checked under the log key.
  async function verifyCheckpoint(logKey, note) {
    const cut = note.indexOf("\n\n");
    check(cut > 0, "checkpoint_format");
    const text = note.slice(0, cut + 1);
    const lines = text.split("\n");
    check(lines.length >= 4 && lines[0] === logKey.name, "checkpoint_origin", { origin: lines[0] });
    check(/^(0|[1-9][0-9]*)$/.test(lines[1]), "checkpoint_format");
    const size = Number(lines[1]);
    const root = fromBase64(lines[2]);
    check(root.length === 32, "checkpoint_format");
    let signed = false;
    for (const line of note.slice(cut + 2).split("\n")) {
      const match = /^\u2014 (\S+) (\S+)$/.exec(line);
      if (!match || match[1] !== logKey.name) continue;
      const sig = fromBase64(match[2]);
      if (sig.length !== 68 || !equal(sig.slice(0, 4), logKey.id)) continue;
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
  async function verifyEntry(logKey, index, bytes) {
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
    const unsigned = Object.assign({}, entry);
    delete unsigned.sig;
    const logSig = typeof entry.sig === "string" ? fromBase64(entry.sig) : new Uint8Array();
    check(
      logSig.length === 64 && (await ed25519(logKey.key, logSig, enc.encode(canonical(unsigned)))),
      "log_signature",
      { index: index }
    );
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
  async function verifyStream(logKey, checkpoint, stream, indexes, mark) {
    let prev = "0".repeat(64);
    let seq = 0;
    for (const index of indexes) {
      const bytes = await fetchBytes("/v1/log/entries/" + index);
      const entry = await verifyEntry(logKey, index, bytes);
      check(entry.stream === stream, "wrong_stream", { index: index });
      seq += 1;
      check(entry.seq === seq && entry.prev === prev, "prev_chain", { index: index });
      prev = hex(await sha256(bytes));
      await verifyInclusion(index, bytes, checkpoint);
      mark(index);
    }
  }

  // A comment receipt `{"index", "entry_hash", "entry"}` as the server gave it.
  async function verifyReceipt(logKey, checkpoint, receipt) {
    check(receipt && typeof receipt.entry === "object" && Number.isSafeInteger(receipt.index), "receipt_format");
    const bytes = enc.encode(canonical(receipt.entry));
    check(hex(await sha256(bytes)) === receipt.entry_hash, "receipt_hash");
    await verifyEntry(logKey, receipt.index, bytes);
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
      const logKey = await parseLogKey(document.getElementById("log-key").value);
      const checkpoint = await verifyCheckpoint(logKey, dec.decode(await fetchBytes("/v1/log/checkpoint")));
      if (button.dataset.stream) {
        const indexes = button.dataset.indexes.split(",").map(Number);
        await verifyStream(logKey, checkpoint, button.dataset.stream, indexes, (index) => {
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
        await verifyReceipt(logKey, checkpoint, receipt);
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
