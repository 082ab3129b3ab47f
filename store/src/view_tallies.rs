//! Counts over the rows a [`ViewQuery`] selects, all in one statement: what a record shows
//! about every one of its children (how many comments a consultation received, how many
//! are hidden or answered, how many distinct participants wrote them) without the rows
//! leaving the database. The rows are still read, inside it: a count is as fast as the
//! database can scan the selected range, not free.
//!
//! What is counted is said with [`Test`]s on members of a row's JSON; as in
//! [`super::view_queries`], only member names written by callers in the code reach the SQL
//! text, checked to be plain identifiers, and every value is a bound parameter.

use sqlx::Row;

use super::view_queries::{from_sql, key};
use super::{Backend, Db, Dialect, ViewQuery};

/// A test on one member of a row.
#[derive(Clone, Debug)]
pub enum Test {
    /// The member is JSON `true`.
    IsTrue(&'static [&'static str]),
    /// The member is anything but JSON `true` (false, null, absent, another type).
    NotTrue(&'static [&'static str]),
    /// The member is present and not `null`.
    Present(&'static [&'static str]),
    /// The member is absent or `null`.
    Absent(&'static [&'static str]),
    /// The member at `path` is an object one of whose values has `member` equal to
    /// `value` (a comment whose moderation history holds a `restore`).
    AnyValueHas {
        path: &'static [&'static str],
        member: &'static str,
        value: String,
    },
}

/// One count over the selected rows.
#[derive(Clone, Debug)]
pub enum Tally {
    /// Every selected row.
    Rows,
    /// The rows passing every test.
    Where(Vec<Test>),
    /// The distinct pairs (`key`, the first of `one_of` present), rows where all of
    /// `one_of` are absent left out: distinct participants by channel and name.
    Distinct {
        key: &'static [&'static str],
        one_of: Vec<&'static [&'static str]>,
    },
}

impl Db {
    /// One number per tally, in order, over the rows `query` selects (its order is
    /// irrelevant here).
    ///
    /// # Errors
    /// Any database error.
    pub async fn view_query_tallies(
        &self,
        query: &ViewQuery,
        tallies: &[Tally],
    ) -> Result<Vec<u64>, sqlx::Error> {
        let mut n = 0;
        let mut binds = Vec::new();
        let from = from_sql(self.dialect, query, &mut n, &mut binds);
        let mut columns = Vec::with_capacity(tallies.len());
        for tally in tallies {
            columns.push(tally_sql(self.dialect, tally, &mut n, &mut binds));
        }
        // PostgreSQL parses each row's text into `jsonb` once, in a materialized select,
        // rather than once per test (a plain subquery would be merged into the outer one).
        let sql = match self.dialect.backend {
            Backend::Postgres => format!(
                "WITH t AS MATERIALIZED (SELECT r.payload::jsonb AS payload {from}) SELECT {} FROM t",
                columns.join(", ")
            ),
            Backend::Sqlite => format!(
                "SELECT {} FROM (SELECT r.payload AS payload {from}) t",
                columns.join(", ")
            ),
        };
        let mut q = sqlx::query(&sql);
        for value in binds {
            q = q.bind(value);
        }
        let row = q.fetch_one(&self.pool).await?;
        (0..tallies.len())
            .map(|i| Ok(u64::try_from(row.try_get::<i64, _>(i)?).unwrap_or(0)))
            .collect()
    }
}

fn tally_sql(dialect: Dialect, tally: &Tally, n: &mut usize, binds: &mut Vec<String>) -> String {
    match tally {
        Tally::Rows => "COUNT(*)".to_owned(),
        Tally::Where(tests) if tests.is_empty() => "COUNT(*)".to_owned(),
        Tally::Where(tests) => {
            let tests: Vec<String> = tests
                .iter()
                .map(|t| test_sql(dialect, t, n, binds))
                .collect();
            format!(
                "COALESCE(SUM(CASE WHEN {} THEN 1 ELSE 0 END), 0)",
                tests.join(" AND ")
            )
        }
        Tally::Distinct { key, one_of } => {
            let either: Vec<String> = one_of
                .iter()
                .map(|path| dialect.json_text("t", path))
                .collect();
            let who = format!("COALESCE({})", either.join(", "));
            // The pair as a JSON array: no two pairs write the same text.
            let pair = match dialect.backend {
                Backend::Sqlite => format!("json_array({}, {who})", dialect.json_text("t", key)),
                Backend::Postgres => {
                    format!(
                        "jsonb_build_array({}, {who})::text",
                        dialect.json_text("t", key)
                    )
                }
            };
            format!("COUNT(DISTINCT CASE WHEN {who} IS NULL THEN NULL ELSE {pair} END)")
        }
    }
}

fn test_sql(dialect: Dialect, test: &Test, n: &mut usize, binds: &mut Vec<String>) -> String {
    match test {
        Test::IsTrue(path) => format!("COALESCE({}, FALSE)", dialect.json_is_true("t", path)),
        Test::NotTrue(path) => format!("NOT COALESCE({}, FALSE)", dialect.json_is_true("t", path)),
        Test::Present(path) => format!("{} IS NOT NULL", dialect.json_text("t", path)),
        Test::Absent(path) => format!("{} IS NULL", dialect.json_text("t", path)),
        Test::AnyValueHas {
            path,
            member,
            value,
        } => {
            *n += 1;
            binds.push(value.clone());
            dialect.json_any_value_has("t", path, member, &format!("${n}"))
        }
    }
}

impl Dialect {
    /// Whether the member at `path` is JSON `true` (NULL when absent).
    fn json_is_true(&self, alias: &str, path: &[&str]) -> String {
        let path: Vec<String> = path.iter().map(|k| key(k)).collect();
        match self.backend {
            Backend::Sqlite => format!(
                "(json_type({alias}.payload, '$.{}') = 'true')",
                path.join(".")
            ),
            Backend::Postgres => format!(
                "(({alias}.payload::jsonb #> '{{{}}}') = 'true'::jsonb)",
                path.join(",")
            ),
        }
    }

    /// Whether the object at `path` has a value whose `member` is the text parameter
    /// `param`; a member that is not an object has none.
    fn json_any_value_has(&self, alias: &str, path: &[&str], member: &str, param: &str) -> String {
        let path: Vec<String> = path.iter().map(|k| key(k)).collect();
        let member = key(member);
        match self.backend {
            Backend::Sqlite => format!(
                "EXISTS (SELECT 1 FROM json_each({alias}.payload, '$.{}') AS e \
                 WHERE json_type({alias}.payload, '$.{0}') = 'object' \
                 AND json_extract(e.value, '$.{member}') = {param})",
                path.join(".")
            ),
            Backend::Postgres => {
                let object = format!("{alias}.payload::jsonb #> '{{{}}}'", path.join(","));
                format!(
                    "EXISTS (SELECT 1 FROM jsonb_each(CASE WHEN jsonb_typeof({object}) = 'object' \
                     THEN {object} ELSE '{{}}'::jsonb END) AS e(k, v) \
                     WHERE e.v ->> '{member}' = {param})"
                )
            }
        }
    }
}
