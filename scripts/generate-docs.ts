// Regenerates the documentation derived from code and configuration: the README's configuration table.
import { readFileSync, writeFileSync } from 'node:fs';
import { currentTable, withConfigTable } from './config-table.js';

writeFileSync('README.md', withConfigTable(readFileSync('README.md', 'utf8'), currentTable()));
