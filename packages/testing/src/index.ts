export * from "./netns.js";
export * from "./closed-pipe.js";
export * from "./damaged-zstd.js";
