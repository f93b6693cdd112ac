// The auth components: each file exports a headless hook (use<Name>) and the default look (<Name>).
export {};
