#!/usr/bin/env node
/* Prints one closing line "N passed, N failed, N skipped" from Jest's JSON report; exits non-zero on any
   failure, on a suite that failed to run, or when no test ran. */
const { readFileSync } = require('node:fs');
const file = process.argv[2] ?? '.jest-results.json';
let report;
try {
  report = JSON.parse(readFileSync(file, 'utf8'));
} catch (error) {
  console.log('0 passed, 1 failed');
  console.error(`no Jest report at ${file}: ${error.message}`);
  process.exit(1);
}
const suiteErrors = report.testResults.filter((s) => s.status === 'failed' && s.assertionResults.length === 0);
for (const suite of suiteErrors) console.error(`suite failed to run: ${suite.name}\n${suite.message}`);
const passed = report.numPassedTests;
const failed = report.numFailedTests + suiteErrors.length;
const skipped = report.numPendingTests + report.numTodoTests;
console.log(`${passed} passed, ${failed} failed, ${skipped} skipped`);
process.exit(failed > 0 || passed === 0 || !report.success ? 1 : 0);
