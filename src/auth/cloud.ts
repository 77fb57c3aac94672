/**
 * The Microsoft clouds a tenant can live in (MDE_CLOUD): each has its own sign-in host and API hosts
 * (GCC signs in at login.microsoftonline.com, GCC High and DoD at .us: https://learn.microsoft.com/en-us/defender-endpoint/gov,
 * section "API").
 */
export const CLOUDS = ['commercial', 'gcc', 'gcc-high', 'dod'] as const;
export type Cloud = (typeof CLOUDS)[number];
