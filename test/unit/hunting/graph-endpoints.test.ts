import { describe, expect, it } from 'vitest';
import { graphBase, graphScope } from '../../../src/enrich/hunting/graph-endpoints.js';

describe('Graph host and token scope per cloud', () => {
  it('picks the documented hosts by MDE_CLOUD (GCC uses the global service)', () => {
    expect([graphBase({ MDE_CLOUD: 'commercial' }), graphScope({ MDE_CLOUD: 'commercial' })]).toEqual(['https://graph.microsoft.com', 'https://graph.microsoft.com/.default']);
    expect(graphBase({ MDE_CLOUD: 'gcc' })).toBe('https://graph.microsoft.com');
    expect([graphBase({ MDE_CLOUD: 'gcc-high' }), graphScope({ MDE_CLOUD: 'gcc-high' })]).toEqual(['https://graph.microsoft.us', 'https://graph.microsoft.us/.default']);
    expect([graphBase({ MDE_CLOUD: 'dod' }), graphScope({ MDE_CLOUD: 'dod' })]).toEqual(['https://dod-graph.microsoft.us', 'https://dod-graph.microsoft.us/.default']);
  });

  it('GRAPH_BASE_URL overrides the host and keeps the cloud scope', () => {
    const settings = { MDE_CLOUD: 'gcc-high' as const, GRAPH_BASE_URL: 'https://127.0.0.1:8443/' };
    expect([graphBase(settings), graphScope(settings)]).toEqual(['https://127.0.0.1:8443', 'https://graph.microsoft.us/.default']);
  });
});
