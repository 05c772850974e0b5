/** The metric types of a monitor, and what each one needs. */
export const METRIC_TYPES = [
  'row_count',
  'freshness',
  'null_percentage',
  'unique_percentage',
  'cardinality',
  'min',
  'max',
  'mean',
  'custom_sql',
] as const;

export type MetricType = (typeof METRIC_TYPES)[number];

/** Accepted spellings that mean the same metric. */
export const METRIC_ALIASES: Readonly<Record<string, MetricType>> = {
  minimum: 'min',
  maximum: 'max',
  average: 'mean',
  avg: 'mean',
};

export type MetricLevel = 'table' | 'column' | 'query';

export const METRIC_LEVEL: Readonly<Record<MetricType, MetricLevel>> = {
  row_count: 'table',
  freshness: 'table',
  null_percentage: 'column',
  unique_percentage: 'column',
  cardinality: 'column',
  min: 'column',
  max: 'column',
  mean: 'column',
  custom_sql: 'query',
};

export const METRIC_LABEL: Readonly<Record<MetricType, string>> = {
  row_count: 'Row count',
  freshness: 'Freshness',
  null_percentage: 'Null percentage',
  unique_percentage: 'Unique percentage',
  cardinality: 'Cardinality',
  min: 'Minimum',
  max: 'Maximum',
  mean: 'Mean',
  custom_sql: 'Custom SQL',
};

export function normaliseMetricType(value: string): MetricType | undefined {
  if ((METRIC_TYPES as readonly string[]).includes(value)) return value as MetricType;
  return METRIC_ALIASES[value];
}

/** What a monitor's metric is configured with beyond its type. */
export interface MetricConfig {
  /** SQL boolean expression, in the warehouse's dialect, that filters the rows measured. */
  where?: string | undefined;
  /** Column whose newest value dates the table, for freshness. */
  timestamp_column?: string | undefined;
  /** A read-only query returning one number, for custom_sql. */
  query_select?: string | undefined;
}

/** Everything a dialect needs to compute one standard metric. */
export interface MetricSpec {
  metricType: Exclude<MetricType, 'custom_sql'>;
  column?: string | undefined;
  where?: string | undefined;
  timestampColumn?: string | undefined;
}

/** Metrics that read a column's values as numbers: min, max and mean. */
export function needsNumericColumn(metricType: MetricType): boolean {
  return metricType === 'min' || metricType === 'max' || metricType === 'mean';
}
