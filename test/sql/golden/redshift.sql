-- row_count
SELECT
  COUNT(*) AS "m0"
FROM "analytics"."shop"."orders";

-- row_count where
SELECT
  COUNT(*) AS "m0"
FROM "analytics"."shop"."orders"
WHERE (status = 'paid');

-- freshness
SELECT
  CAST(EXTRACT(EPOCH FROM GETDATE()) - EXTRACT(EPOCH FROM CAST(MAX("updated_at") AS TIMESTAMP)) AS DOUBLE PRECISION) / 3600 AS "m0"
FROM "analytics"."shop"."orders";

-- freshness where
SELECT
  CAST(EXTRACT(EPOCH FROM GETDATE()) - EXTRACT(EPOCH FROM CAST(MAX("updated_at") AS TIMESTAMP)) AS DOUBLE PRECISION) / 3600 AS "m0"
FROM "analytics"."shop"."orders"
WHERE (status = 'paid');

-- null_percentage
SELECT
  CAST(COUNT(*) - COUNT("amount") AS DOUBLE PRECISION) * 100 / NULLIF(COUNT(*), 0) AS "m0"
FROM "analytics"."shop"."orders";

-- null_percentage where
SELECT
  CAST(COUNT(*) - COUNT("amount") AS DOUBLE PRECISION) * 100 / NULLIF(COUNT(*), 0) AS "m0"
FROM "analytics"."shop"."orders"
WHERE (status = 'paid');

-- unique_percentage
SELECT
  CAST(COUNT(DISTINCT "email") AS DOUBLE PRECISION) * 100 / NULLIF(COUNT("email"), 0) AS "m0"
FROM "analytics"."shop"."orders";

-- unique_percentage where
SELECT
  CAST(COUNT(DISTINCT "email") AS DOUBLE PRECISION) * 100 / NULLIF(COUNT("email"), 0) AS "m0"
FROM "analytics"."shop"."orders"
WHERE (status = 'paid');

-- cardinality
SELECT
  COUNT(DISTINCT "country") AS "m0"
FROM "analytics"."shop"."orders";

-- cardinality where
SELECT
  COUNT(DISTINCT "country") AS "m0"
FROM "analytics"."shop"."orders"
WHERE (status = 'paid');

-- min
SELECT
  MIN("amount") AS "m0"
FROM "analytics"."shop"."orders";

-- max
SELECT
  MAX("amount") AS "m0"
FROM "analytics"."shop"."orders";

-- mean
SELECT
  AVG("amount") AS "m0"
FROM "analytics"."shop"."orders";

-- mean where
SELECT
  AVG("amount") AS "m0"
FROM "analytics"."shop"."orders"
WHERE (status = 'paid');

-- batch of every metric, mixed filters
SELECT
  COUNT(*) AS "m0",
  COUNT(CASE WHEN (status = 'paid') THEN 1 END) AS "m1",
  CAST(EXTRACT(EPOCH FROM GETDATE()) - EXTRACT(EPOCH FROM CAST(MAX("updated_at") AS TIMESTAMP)) AS DOUBLE PRECISION) / 3600 AS "m2",
  CAST(EXTRACT(EPOCH FROM GETDATE()) - EXTRACT(EPOCH FROM CAST(MAX(CASE WHEN (status = 'paid') THEN "updated_at" END) AS TIMESTAMP)) AS DOUBLE PRECISION) / 3600 AS "m3",
  CAST(COUNT(*) - COUNT("amount") AS DOUBLE PRECISION) * 100 / NULLIF(COUNT(*), 0) AS "m4",
  CAST(COUNT(CASE WHEN (status = 'paid') THEN 1 END) - COUNT(CASE WHEN (status = 'paid') THEN "amount" END) AS DOUBLE PRECISION) * 100 / NULLIF(COUNT(CASE WHEN (status = 'paid') THEN 1 END), 0) AS "m5",
  CAST(COUNT(DISTINCT "email") AS DOUBLE PRECISION) * 100 / NULLIF(COUNT("email"), 0) AS "m6",
  CAST(COUNT(DISTINCT CASE WHEN (status = 'paid') THEN "email" END) AS DOUBLE PRECISION) * 100 / NULLIF(COUNT(CASE WHEN (status = 'paid') THEN "email" END), 0) AS "m7",
  COUNT(DISTINCT "country") AS "m8",
  COUNT(DISTINCT CASE WHEN (status = 'paid') THEN "country" END) AS "m9",
  MIN("amount") AS "m10",
  MAX("amount") AS "m11",
  AVG("amount") AS "m12",
  AVG(CASE WHEN (status = 'paid') THEN "amount" END) AS "m13"
FROM "analytics"."shop"."orders";

-- batch sharing one filter: it becomes the WHERE
SELECT
  COUNT(*) AS "m0",
  MAX("amount") AS "m1"
FROM "analytics"."shop"."orders"
WHERE (id > 10);

-- custom_sql
SELECT * FROM (
SELECT COUNT(*) FROM shop.customers WHERE type = 'external'
) AS vigil_custom LIMIT 2;

-- column type
SELECT data_type FROM information_schema.columns WHERE table_schema = 'shop' AND table_name = 'orders' AND column_name = 'amount' AND table_catalog = 'analytics';
