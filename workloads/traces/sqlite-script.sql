-- The program behind sqlite.trace (record.sh): an in-memory database built, indexed and queried.
CREATE TABLE item(id INTEGER PRIMARY KEY, name TEXT, score REAL, grp INTEGER);
WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 20000)
INSERT INTO item SELECT i, printf('item-%06d-%s', i, hex(randomblob(8))), (i * 7919 % 10007) / 10007.0, i % 97 FROM n;
CREATE INDEX item_score ON item(score);
CREATE INDEX item_name ON item(name);
SELECT grp, count(*), avg(score), max(name) FROM item GROUP BY grp ORDER BY avg(score) DESC LIMIT 5;
UPDATE item SET name = name || '-x' WHERE id % 3 = 0;
DELETE FROM item WHERE id % 5 = 0;
SELECT count(*), sum(length(name)) FROM item WHERE score > 0.5;
