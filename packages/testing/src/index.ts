export * from "./netns.js";
export * from "./closed-pipe.js";
export * from "./damaged-zstd.js";
export * from "./fixtures.js";
export * from "./inet-diag-payload.js";
