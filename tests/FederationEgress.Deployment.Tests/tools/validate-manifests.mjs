// Validates Kubernetes manifests against the API's OpenAPI schemas, as packaged by
// kubernetes-models (types, required fields, enums; Kubernetes schemas allow unknown fields).
// Used by the chart render and sidecar example tests.
//
//   node validate-manifests.mjs <manifests.json>
//
// The input is a JSON array of manifests. Prints one JSON array:
// [{ "kind": ..., "name": ..., "valid": bool, "error": "..." }]. Exit code 2 on usage errors.
import { readFileSync } from "node:fs";

const [file] = process.argv.slice(2);
if (!file) {
  console.error("usage: node validate-manifests.mjs <manifests.json>");
  process.exit(2);
}

// "apps/v1" -> kubernetes-models/apps/v1/<Kind>; core "v1" -> kubernetes-models/v1/<Kind>.
async function modelFor(apiVersion, kind) {
  const module = await import(`kubernetes-models/${apiVersion}/${kind}`);
  return module[kind];
}

const results = [];
for (const manifest of JSON.parse(readFileSync(file, "utf8"))) {
  const kind = manifest?.kind;
  const name = manifest?.metadata?.name ?? null;
  try {
    const Model = await modelFor(manifest.apiVersion, kind);
    new Model(manifest).validate();
    results.push({ kind, name, valid: true, error: null });
  } catch (error) {
    results.push({ kind, name, valid: false, error: String(error?.message ?? error) });
  }
}
console.log(JSON.stringify(results));
