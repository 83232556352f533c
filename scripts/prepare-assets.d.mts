export function prepareModels(outDir?: string): Promise<unknown>;
export function prepareWasm(outDir?: string): Promise<void>;
export const MODEL_SPECS: { id: string }[];
