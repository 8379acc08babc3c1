import assert from 'node:assert/strict';
import { test } from 'node:test';
import { formatNumber, renderTable, targetsTable } from '../src/report/table.js';

test('numbers keep about four significant digits and never use exponents', () => {
  assert.deepEqual([12345.6, 123.456, 12.3456, 1.23456, 0.000123456, 0, Number.NaN].map(formatNumber), [
    '12,346',
    '123.5',
    '12.35',
    '1.235',
    '0.000123',
    '0',
    '–',
  ]);
});

test('a table is padded Markdown', () => {
  assert.equal(renderTable(['a', 'bb'], [['ccc', 'd']]), '| a   | bb |\n| --- | -- |\n| ccc | d  |');
});

test('targets show the measured value, the limit and the verdict', () => {
  const text = targetsTable([
    {
      section: 's',
      name: 'cpu ÷ bare',
      measured: 1.98,
      comparison: 'at-most',
      limit: 1.5,
      unit: '×',
      verdict: 'MISS',
    },
  ]);
  assert.match(text, /\| s +\| cpu ÷ bare \| 1\.980 × +\| ≤ 1\.500 × \| MISS +\|/);
});
