export * from "./log-loss";
export * from "./score";
