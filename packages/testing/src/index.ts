export * from "./netns.js";
export * from "./closed-pipe.js";
