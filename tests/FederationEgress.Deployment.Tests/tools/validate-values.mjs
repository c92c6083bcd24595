// Validates JSON documents against a JSON Schema (draft-07) with Ajv in strict mode, so the
// schema itself is also checked (unknown keywords, bad types). Used by ValuesSchemaTests and
// KubernetesSchemaTests through Infrastructure/SchemaValidator.cs.
//
//   node validate-values.mjs <schema.json> <document.json>...
//
// Prints one JSON array: [{ "file": ..., "valid": bool, "errors": [ "path: message", ... ] }].
// Exit code 0 when every document was validated (valid or not), 2 on usage or schema errors.
import { readFileSync } from "node:fs";
import Ajv from "ajv";
import addFormats from "ajv-formats";

const [schemaPath, ...documents] = process.argv.slice(2);
if (!schemaPath || documents.length === 0) {
  console.error("usage: node validate-values.mjs <schema.json> <document.json>...");
  process.exit(2);
}

let validate;
try {
  const ajv = new Ajv({ allErrors: true, strict: true, allowUnionTypes: true });
  addFormats(ajv);
  validate = ajv.compile(JSON.parse(readFileSync(schemaPath, "utf8")));
} catch (error) {
  console.error(`invalid schema ${schemaPath}: ${error.message}`);
  process.exit(2);
}

const results = documents.map((file) => {
  const valid = validate(JSON.parse(readFileSync(file, "utf8")));
  const errors = (validate.errors ?? []).map(
    (e) => `${e.instancePath || "/"}: ${e.message}${e.params ? " " + JSON.stringify(e.params) : ""}`);
  return { file, valid, errors };
});
console.log(JSON.stringify(results));
