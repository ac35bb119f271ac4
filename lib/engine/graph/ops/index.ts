export * from "./array";
export * from "./math";
export * from "./nn";
