export * from "./cross-family";
export * from "./prior";
export * from "./validate";
export * from "./write";
