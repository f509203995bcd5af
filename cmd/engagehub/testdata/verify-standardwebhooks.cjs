// Verifies webhook requests with the Standard Webhooks reference library
// for JavaScript (npm "standardwebhooks"), as a receiver would.
// Usage: node verify-standardwebhooks.cjs requests.json
// requests.json: [{"secret": "whsec_...", "headers": {...}, "body": "..."}]
// Prints one line per request; exits 1 if any does not verify.
const fs = require("fs");
const { Webhook } = require("standardwebhooks");

const requests = JSON.parse(fs.readFileSync(process.argv[2], "utf8"));
let failed = 0;
for (const [i, r] of requests.entries()) {
  try {
    const payload = new Webhook(r.secret).verify(r.body, r.headers);
    console.log(`${i}: verified ${r.headers["webhook-id"]} ${JSON.stringify(payload)}`);
  } catch (e) {
    failed++;
    console.log(`${i}: NOT verified ${r.headers["webhook-id"]}: ${e.message}`);
  }
}
process.exit(failed > 0 ? 1 : 0);
