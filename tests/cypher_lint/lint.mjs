// Lint Cypher with Neo4j's own linter (@neo4j-cypher/language-support, lintCypherQuery), Neo4j 5 dialect.
//
// Two ways in:
//   node lint.mjs < request.json      request: {"queries": [{"id", "text", "parameters": {name: value}}],
//                                               "schema": {"labels", "relationshipTypes", "propertyKeys"}}
//   node lint.mjs FILE.cypher ...     parameters are read from the files' "// param: <name>" header lines
// Output (stdout): a JSON list, one entry per query: {"id", "diagnostics": [{"severity", "message",
// "line", "column"}]} with severity "error", "warning", "information" or "hint"; line and column from 1.
// Exit code: 0 when no diagnostic is an error, 1 otherwise, 2 on bad input.
//
// Functions are checked against the built-in functions of a Neo4j 5 server (the SHOW FUNCTIONS dump
// the package ships as its test schema), so a FalkorDB-only function such as distance() is an error.
import { readFileSync } from 'node:fs';
import { lintCypherQuery } from '@neo4j-cypher/language-support';

const SEVERITY = { 1: 'error', 2: 'warning', 3: 'information', 4: 'hint' };
const VERSION = 'CYPHER 5';

async function builtinFunctions() {
  try {
    const mod = await import(
      './node_modules/@neo4j-cypher/language-support/dist/esm/project/language-support/src/tests/testData.js'
    );
    const all = mod.testData.mockSchema.functions[VERSION];
    const builtins = Object.fromEntries(Object.entries(all).filter(([, fn]) => fn.isBuiltIn));
    return { functions: { [VERSION]: builtins }, note: null };
  } catch (err) {
    return { functions: undefined, note: `function names not checked: ${err.message}` };
  }
}

function headerParameters(text) {
  const params = {};
  for (const m of text.matchAll(/^\s*\/\/\s*param:\s*([A-Za-z_][A-Za-z0-9_]*)/gm)) params[m[1]] = null;
  return params;
}

function readRequest() {
  const files = process.argv.slice(2);
  if (files.length > 0) {
    return {
      queries: files.map((f) => {
        const text = readFileSync(f, 'utf8');
        return { id: f, text, parameters: headerParameters(text) };
      }),
      schema: {},
    };
  }
  const raw = readFileSync(0, 'utf8');
  try {
    return JSON.parse(raw);
  } catch (err) {
    process.stderr.write(`lint.mjs: stdin is not a JSON request: ${err.message}\n`);
    process.exit(2);
  }
}

const request = readRequest();
const { functions, note } = await builtinFunctions();
let failed = false;
const out = (request.queries || []).map((q) => {
  const schema = {
    ...(request.schema || {}),
    parameters: q.parameters || {},
    defaultLanguage: VERSION,
  };
  if (functions) schema.functions = functions;
  const { diagnostics } = lintCypherQuery(q.text, schema, { consoleCommandsEnabled: false });
  const list = diagnostics.map((d) => ({
    severity: SEVERITY[d.severity] || String(d.severity),
    message: d.message,
    line: d.range.start.line + 1,
    column: d.range.start.character + 1,
  }));
  if (note) list.push({ severity: 'information', message: note, line: 1, column: 1 });
  if (list.some((d) => d.severity === 'error')) failed = true;
  return { id: q.id, diagnostics: list };
});
process.stdout.write(JSON.stringify(out, null, 1) + '\n');
process.exit(failed ? 1 : 0);
