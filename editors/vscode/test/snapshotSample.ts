// A snapshot as the contract gives it, shared by the tests of the parser, the source and the tree.
// (node --test also loads this file; it holds no tests.)

export const SAMPLE = {
  root: "/films/night-ferry", name: "Night Ferry", mode: "final", spent_usd: 0.0123,
  blocks: [
    { id: "scene-1", type: "scene", phase: "Story", title: "The Ramp", path: "story/scene-1.md",
      state: "fresh", stale_reason: "", generated: false, assets: [] },
    { id: "shot-1a", type: "shot", phase: "Shooting", title: "Mara boards", path: "shooting\\shot-1a.md",
      state: "stale", stale_reason: "mara-raincoat changed", generated: true,
      assets: [{ sha256: "a".repeat(64), role: "still", approved: true }] },
    { id: "mara", type: "", phase: "", title: "", path: "design/mara.md",
      state: "broken", stale_reason: "", generated: false, assets: [] },
  ],
};
