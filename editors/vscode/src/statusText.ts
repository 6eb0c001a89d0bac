/**
 * The status bar's words: the generation mode in force and the money spent so far. Pure.
 */

import type { Mode } from "./projectSnapshot";

/** The `cinefile.mode` setting wins; "project" defers to cinefile.toml; draft when nobody says. */
export function effectiveMode(setting: unknown, projectMode: Mode | null): Mode {
  if (setting === "draft" || setting === "final") {
    return setting;
  }
  return projectMode ?? "draft";
}

/** Dollars with enough digits for draft-model prices: $0.0021, $0.35, $12.40. */
export function formatUsd(amount: number): string {
  if (amount === 0) {
    return "$0.00";
  }
  return amount < 0.01 ? `$${amount.toPrecision(2)}` : `$${amount.toFixed(2)}`;
}

export function statusBarText(mode: Mode, spentUsd: number | null): string {
  const label = mode === "final" ? "Final" : "Draft";
  return spentUsd === null ? `$(device-camera-video) ${label}` : `$(device-camera-video) ${label} · ${formatUsd(spentUsd)}`;
}

export function statusBarTooltip(mode: Mode, spentUsd: number | null): string {
  const spent = spentUsd === null ? "spend unknown" : `${formatUsd(spentUsd)} spent on generation so far`;
  const other = mode === "final" ? "draft" : "final";
  return `Cinefile: ${mode} mode, ${spent}. Click to switch to ${other}.`;
}
