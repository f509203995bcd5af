// Verifies Standard Webhooks "v1a," (Ed25519) signatures with Node's own
// crypto (OpenSSL), as a receiver without engagehub's code would: the
// published standardwebhooks packages (npm 1.1.1, PyPI 1.1.0) verify only
// "v1,". The spec's rule: the signed content is "<webhook-id>.<webhook-timestamp>.<body>",
// the header lists space-separated "<version>,<base64>" entries, and one
// "v1a," entry must verify under the public key ("whpk_" + base64 of 32 bytes);
// the timestamp must be within 5 minutes unless ignoreTimestamp is set.
// Usage: node verify-v1a.cjs requests.json
// requests.json: [{"publicKey": "whpk_...", "headers": {...}, "body": "...", "ignoreTimestamp": false}]
// Prints one line per request; exits 1 if any does not verify.
const crypto = require("crypto");
const fs = require("fs");

function publicKey(text) {
  const raw = Buffer.from(text.replace(/^whpk_/, ""), "base64");
  if (raw.length !== 32) throw new Error(`public key: ${raw.length} bytes, want 32`);
  return crypto.createPublicKey({ key: { kty: "OKP", crv: "Ed25519", x: raw.toString("base64url") }, format: "jwk" });
}

function verify(r) {
  const id = r.headers["webhook-id"], ts = r.headers["webhook-timestamp"], sigs = r.headers["webhook-signature"];
  if (!id || !ts || !sigs) throw new Error("missing headers");
  if (!r.ignoreTimestamp && Math.abs(Date.now() / 1000 - Number(ts)) > 300) throw new Error("timestamp out of tolerance");
  const key = publicKey(r.publicKey);
  const content = Buffer.from(`${id}.${ts}.${r.body}`, "utf8");
  for (const entry of sigs.split(" ")) {
    const [version, b64] = entry.split(",", 2);
    if (version === "v1a" && b64 && crypto.verify(null, content, key, Buffer.from(b64, "base64"))) return;
  }
  throw new Error("no matching v1a signature");
}

const requests = JSON.parse(fs.readFileSync(process.argv[2], "utf8"));
let failed = 0;
for (const [i, r] of requests.entries()) {
  try {
    verify(r);
    console.log(`${i}: verified ${r.headers["webhook-id"]} with ${r.publicKey.slice(0, 12)}…`);
  } catch (e) {
    failed++;
    console.log(`${i}: NOT verified ${r.headers["webhook-id"]}: ${e.message}`);
  }
}
process.exit(failed > 0 ? 1 : 0);
