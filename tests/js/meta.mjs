// The parts of GET /api/v1/meta the page's pure modules read (URL table, limits, phases), as the
// server sends them: tests/test_one_table.py fails when this copy is stale, and rewrites it with
// `.venv/bin/python -m tests.test_one_table`.
import { readFileSync } from "node:fs";

export const META = JSON.parse(readFileSync(new URL("./meta.json", import.meta.url), "utf8"));
