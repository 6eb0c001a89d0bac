// The status bar: mode from the setting or the project, spend in dollars.
import assert from "node:assert/strict";
import { test } from "node:test";

import { effectiveMode, formatUsd, statusBarText, statusBarTooltip } from "../src/statusText";

test("the setting overrides the project's mode; draft when nobody says", () => {
  assert.equal(effectiveMode("final", "draft"), "final");
  assert.equal(effectiveMode("project", "final"), "final");
  assert.equal(effectiveMode(undefined, null), "draft");
});

test("spend keeps the digits that matter", () => {
  assert.equal(formatUsd(0), "$0.00");
  assert.equal(formatUsd(0.0021), "$0.0021");
  assert.equal(formatUsd(0.35), "$0.35");
  assert.equal(formatUsd(12.4), "$12.40");
});

test("the item shows mode and spend, or only the mode when spend is unknown", () => {
  assert.equal(statusBarText("final", 1.5), "$(device-camera-video) Final · $1.50");
  assert.equal(statusBarText("draft", null), "$(device-camera-video) Draft");
  assert.match(statusBarTooltip("draft", null), /spend unknown.*switch to final/);
});
