-- row_count
SELECT
  COUNT(*) AS `m0`
FROM `shop`.`orders`;

-- row_count where
SELECT
  COUNT(*) AS `m0`
FROM `shop`.`orders`
WHERE (status = 'paid');

-- freshness
SELECT
  TIMESTAMPDIFF(MICROSECOND, MAX(`updated_at`), UTC_TIMESTAMP(6)) / 3600000000e0 AS `m0`,
  MAX(`updated_at`) AS `m0__probe`
FROM `shop`.`orders`;

-- freshness where
SELECT
  TIMESTAMPDIFF(MICROSECOND, MAX(`updated_at`), UTC_TIMESTAMP(6)) / 3600000000e0 AS `m0`,
  MAX(`updated_at`) AS `m0__probe`
FROM `shop`.`orders`
WHERE (status = 'paid');

-- null_percentage
SELECT
  (COUNT(*) - COUNT(`amount`)) * 1e0 * 100 / NULLIF(COUNT(*), 0) AS `m0`
FROM `shop`.`orders`;

-- null_percentage where
SELECT
  (COUNT(*) - COUNT(`amount`)) * 1e0 * 100 / NULLIF(COUNT(*), 0) AS `m0`
FROM `shop`.`orders`
WHERE (status = 'paid');

-- unique_percentage
SELECT
  (COUNT(DISTINCT `email`)) * 1e0 * 100 / NULLIF(COUNT(`email`), 0) AS `m0`
FROM `shop`.`orders`;

-- unique_percentage where
SELECT
  (COUNT(DISTINCT `email`)) * 1e0 * 100 / NULLIF(COUNT(`email`), 0) AS `m0`
FROM `shop`.`orders`
WHERE (status = 'paid');

-- cardinality
SELECT
  COUNT(DISTINCT `country`) AS `m0`
FROM `shop`.`orders`;

-- cardinality where
SELECT
  COUNT(DISTINCT `country`) AS `m0`
FROM `shop`.`orders`
WHERE (status = 'paid');

-- min
SELECT
  MIN(`amount`) AS `m0`
FROM `shop`.`orders`;

-- max
SELECT
  MAX(`amount`) AS `m0`
FROM `shop`.`orders`;

-- mean
SELECT
  AVG(`amount`) AS `m0`,
  MAX(`amount`) AS `m0__probe`
FROM `shop`.`orders`;

-- mean where
SELECT
  AVG(`amount`) AS `m0`,
  MAX(`amount`) AS `m0__probe`
FROM `shop`.`orders`
WHERE (status = 'paid');

-- batch of every metric, mixed filters
SELECT
  COUNT(*) AS `m0`,
  COUNT(CASE WHEN (status = 'paid') THEN 1 END) AS `m1`,
  TIMESTAMPDIFF(MICROSECOND, MAX(`updated_at`), UTC_TIMESTAMP(6)) / 3600000000e0 AS `m2`,
  MAX(`updated_at`) AS `m2__probe`,
  TIMESTAMPDIFF(MICROSECOND, MAX(CASE WHEN (status = 'paid') THEN `updated_at` END), UTC_TIMESTAMP(6)) / 3600000000e0 AS `m3`,
  MAX(CASE WHEN (status = 'paid') THEN `updated_at` END) AS `m3__probe`,
  (COUNT(*) - COUNT(`amount`)) * 1e0 * 100 / NULLIF(COUNT(*), 0) AS `m4`,
  (COUNT(CASE WHEN (status = 'paid') THEN 1 END) - COUNT(CASE WHEN (status = 'paid') THEN `amount` END)) * 1e0 * 100 / NULLIF(COUNT(CASE WHEN (status = 'paid') THEN 1 END), 0) AS `m5`,
  (COUNT(DISTINCT `email`)) * 1e0 * 100 / NULLIF(COUNT(`email`), 0) AS `m6`,
  (COUNT(DISTINCT CASE WHEN (status = 'paid') THEN `email` END)) * 1e0 * 100 / NULLIF(COUNT(CASE WHEN (status = 'paid') THEN `email` END), 0) AS `m7`,
  COUNT(DISTINCT `country`) AS `m8`,
  COUNT(DISTINCT CASE WHEN (status = 'paid') THEN `country` END) AS `m9`,
  MIN(`amount`) AS `m10`,
  MAX(`amount`) AS `m11`,
  AVG(`amount`) AS `m12`,
  MAX(`amount`) AS `m12__probe`,
  AVG(CASE WHEN (status = 'paid') THEN `amount` END) AS `m13`,
  MAX(CASE WHEN (status = 'paid') THEN `amount` END) AS `m13__probe`
FROM `shop`.`orders`;

-- batch sharing one filter: it becomes the WHERE
SELECT
  COUNT(*) AS `m0`,
  MAX(`amount`) AS `m1`
FROM `shop`.`orders`
WHERE (id > 10);

-- custom_sql
SELECT * FROM (
SELECT COUNT(*) FROM shop.customers WHERE type = 'external'
) AS vigil_custom LIMIT 2;

-- column type
SELECT data_type FROM information_schema.columns WHERE table_schema = 'shop' AND table_name = 'orders' AND column_name = 'amount';
