import type { MetricType } from '../../../src/domain/metric.js';

/**
 * The seeded table every connector is checked against, and the answers every metric must
 * give on it. Hand-computed; see the comments.
 */
export interface FixtureRow {
  id: number;
  amount: number | null;
  category: string | null;
  /** hours before the seeding time */
  updatedHoursAgo: number;
  loadedHoursAgo: number;
}

export const ROWS: readonly FixtureRow[] = [
  { id: 1, amount: 10, category: 'a', updatedHoursAgo: 1, loadedHoursAgo: 2 },
  { id: 2, amount: 20, category: 'a', updatedHoursAgo: 5, loadedHoursAgo: 6 },
  { id: 3, amount: 30, category: 'b', updatedHoursAgo: 30, loadedHoursAgo: 31 },
  { id: 4, amount: null, category: 'b', updatedHoursAgo: 48, loadedHoursAgo: 49 },
  { id: 5, amount: 50, category: 'c', updatedHoursAgo: 72, loadedHoursAgo: 73 },
  { id: 6, amount: 60, category: null, updatedHoursAgo: 96, loadedHoursAgo: 97 },
  { id: 7, amount: -5, category: 'c', updatedHoursAgo: 120, loadedHoursAgo: 121 },
  { id: 8, amount: null, category: 'c', updatedHoursAgo: 144, loadedHoursAgo: 145 },
  { id: 9, amount: 100.5, category: 'd', updatedHoursAgo: 168, loadedHoursAgo: 169 },
  { id: 10, amount: 0, category: null, updatedHoursAgo: 192, loadedHoursAgo: 193 },
];

export interface Case {
  name: string;
  metricType: MetricType;
  column?: string;
  where?: string;
  timestampColumn?: string;
  querySelect?: (table: string) => string;
  /** The answer; freshness answers are hours plus the time since seeding. */
  expected: number | null;
  freshness?: boolean;
}

export const CASES: readonly Case[] = [
  { name: 'row_count', metricType: 'row_count', expected: 10 },
  { name: 'row_count where id > 6', metricType: 'row_count', where: 'id > 6', expected: 4 },
  { name: 'null_percentage amount', metricType: 'null_percentage', column: 'amount', expected: 20 }, // 2 of 10
  { name: 'null_percentage category', metricType: 'null_percentage', column: 'category', expected: 20 },
  { name: 'null_percentage amount where id <= 4', metricType: 'null_percentage', column: 'amount', where: 'id <= 4', expected: 25 }, // 1 of 4
  { name: 'unique_percentage category', metricType: 'unique_percentage', column: 'category', expected: 50 }, // 4 distinct of 8 non-null
  { name: 'unique_percentage amount', metricType: 'unique_percentage', column: 'amount', expected: 100 },
  { name: 'cardinality category', metricType: 'cardinality', column: 'category', expected: 4 },
  { name: 'cardinality category where id <= 4', metricType: 'cardinality', column: 'category', where: 'id <= 4', expected: 2 },
  { name: 'min amount', metricType: 'min', column: 'amount', expected: -5 },
  { name: 'max amount', metricType: 'max', column: 'amount', expected: 100.5 },
  { name: 'mean amount', metricType: 'mean', column: 'amount', expected: 33.1875 }, // 265.5 / 8
  { name: 'mean amount where id > 100 (no rows)', metricType: 'mean', column: 'amount', where: 'id > 100', expected: null },
  { name: 'max amount where id <= 3', metricType: 'max', column: 'amount', where: 'id <= 3', expected: 30 },
  { name: 'freshness updated_at', metricType: 'freshness', timestampColumn: 'updated_at', expected: 1, freshness: true },
  { name: 'freshness loaded_at', metricType: 'freshness', timestampColumn: 'loaded_at', expected: 2, freshness: true },
  { name: 'freshness updated_at where id >= 3', metricType: 'freshness', timestampColumn: 'updated_at', where: 'id >= 3', expected: 30, freshness: true },
  {
    name: 'custom_sql sum',
    metricType: 'custom_sql',
    querySelect: (table) => `SELECT SUM(amount) AS total FROM ${table};`,
    expected: 265.5,
  },
];
