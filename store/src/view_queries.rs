//! Filtered, paginated reads of the read models, for the portal's lists (`/v1/offers`,
//! `/v1/awards`, `/v1/associations`) and the open-data exports.
//!
//! A view row is a JSON document in a text column; filters look inside it with each
//! backend's JSON functions (SQLite's `json_extract`/`json_each`, PostgreSQL's `jsonb`
//! operators), chosen by [`Dialect`]. Every value a client gives is a bound parameter;
//! only member names written in this crate reach the SQL text, and they are checked to be
//! plain identifiers even so.

use sqlx::Row;

use super::{Backend, Db, Dialect};

/// Which row a condition looks at: the listed view's own row, or a joined one.
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub enum Source {
    /// The row being listed.
    Row,
    /// The joined row of the [`Join`] at this position in [`ViewQuery::joins`].
    Joined(usize),
}

/// A row of another view, joined by id: `other.view_id = <from>.<by>`.
#[derive(Clone, Debug)]
pub struct Join {
    pub view: &'static str,
    /// The row holding the other row's id: the listed row, or an earlier join's (an
    /// award's offer's institution).
    pub from: Source,
    /// The member of that row that holds the other row's id.
    pub by: &'static str,
}

/// A condition on a member (a path of object keys) of a row's JSON.
#[derive(Clone, Debug)]
pub enum Condition {
    /// The member, as text, equals `value` (numbers compare by their decimal text).
    Equals {
        source: Source,
        path: &'static [&'static str],
        value: String,
    },
    /// The member is a list holding `value`, or an empty list, which means "any" (an
    /// offer whose eligible regions are `[]` is open to every region).
    ListsOrAny {
        source: Source,
        path: &'static [&'static str],
        value: String,
    },
    /// The member is a list holding `value`.
    Lists {
        source: Source,
        path: &'static [&'static str],
        value: String,
    },
    /// The member, as text, contains `value`, ignoring case.
    Contains {
        source: Source,
        path: &'static [&'static str],
        value: String,
    },
    /// The member is absent or `null` (a comment on the whole text has no article).
    Missing {
        source: Source,
        path: &'static [&'static str],
    },
    /// The listed row's id comes after `id` in the order [`Order::Id`] lists them: the
    /// next page of a long list read from where the last one ended, without an offset
    /// the database would have to count through.
    IdAfter { id: String },
    /// The listed row's id is between `low` and `high`, both included, in byte order
    /// whatever the database's collation: a range of ids sharing a prefix (one
    /// consultation's comments), which the database reads from its index on ids instead of
    /// looking inside every row of the view.
    IdBetween { low: String, high: String },
}

/// How a list is ordered.
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub enum Order {
    /// Newest first, by the `index` of the entry that created the row, then by id.
    Newest,
    /// Oldest first, in log order of the entries that created the rows, then by id.
    Oldest,
    /// By id.
    Id,
}

/// One list request over a view.
#[derive(Clone, Debug)]
pub struct ViewQuery {
    pub view: &'static str,
    pub joins: Vec<Join>,
    pub conditions: Vec<Condition>,
    pub order: Order,
}

/// A listed row's JSON text and, per join, the joined row's (absent when it is missing).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ListedRow {
    pub row: String,
    pub joined: Vec<Option<String>>,
}

impl ViewQuery {
    pub fn new(view: &'static str, order: Order) -> Self {
        Self {
            view,
            joins: Vec::new(),
            conditions: Vec::new(),
            order,
        }
    }
}

impl Db {
    /// A page of `query`'s rows and the number of rows matching it.
    ///
    /// # Errors
    /// Any database error.
    pub async fn view_query_page(
        &self,
        query: &ViewQuery,
        offset: u64,
        limit: u64,
    ) -> Result<(Vec<ListedRow>, u64), sqlx::Error> {
        let mut n = 0;
        let mut binds = Vec::new();
        let from = from_sql(self.dialect, query, &mut n, &mut binds);
        let count_sql = format!("SELECT COUNT(*) {from}");
        let mut count = sqlx::query(&count_sql);
        for value in &binds {
            count = count.bind(value.clone());
        }
        let total: i64 = count.fetch_one(&self.pool).await?.try_get(0)?;
        let listed = self.view_query_rows(query, offset, limit).await?;
        Ok((listed, u64::try_from(total).unwrap_or(0)))
    }

    /// A page of `query`'s rows, without counting them all: for reading a long list a
    /// page at a time, where a count on every page would read the rest of the list.
    ///
    /// # Errors
    /// Any database error.
    pub async fn view_query_rows(
        &self,
        query: &ViewQuery,
        offset: u64,
        limit: u64,
    ) -> Result<Vec<ListedRow>, sqlx::Error> {
        let mut n = 0;
        let mut binds = Vec::new();
        let from = from_sql(self.dialect, query, &mut n, &mut binds);
        let columns: String = (0..query.joins.len())
            .map(|j| format!(", j{j}.payload"))
            .collect();
        let order = match query.order {
            Order::Newest => format!("{} DESC, r.view_id", self.dialect.json_int("r", "index")),
            Order::Oldest => format!("{}, r.view_id", self.dialect.json_int("r", "index")),
            Order::Id => "r.view_id".to_owned(),
        };
        let sql = format!(
            "SELECT r.payload{columns} {from} ORDER BY {order} LIMIT ${} OFFSET ${}",
            n + 1,
            n + 2
        );
        let mut q = sqlx::query(&sql);
        for value in binds {
            q = q.bind(value);
        }
        let rows = q
            .bind(i64::try_from(limit).unwrap_or(i64::MAX))
            .bind(i64::try_from(offset).unwrap_or(i64::MAX))
            .fetch_all(&self.pool)
            .await?;
        let listed = rows
            .iter()
            .map(|r| {
                Ok(ListedRow {
                    row: r.try_get(0)?,
                    joined: (0..query.joins.len())
                        .map(|j| r.try_get::<Option<String>, _>(j + 1))
                        .collect::<Result<_, _>>()?,
                })
            })
            .collect::<Result<Vec<_>, sqlx::Error>>()?;
        Ok(listed)
    }

    /// Every row of `query` (no page), in its order: for the open-data exports, which
    /// publish the whole view.
    ///
    /// # Errors
    /// Any database error.
    pub async fn view_query_all(&self, query: &ViewQuery) -> Result<Vec<ListedRow>, sqlx::Error> {
        // i64::MAX rows is "no limit" on both backends, and keeps one code path.
        self.view_query_rows(query, 0, u64::try_from(i64::MAX).unwrap_or(u64::MAX))
            .await
    }
}

/// `FROM views r LEFT JOIN ... WHERE ...`, its parameters numbered from `*n + 1` and
/// their values pushed on `binds` in order.
pub(super) fn from_sql(
    dialect: Dialect,
    query: &ViewQuery,
    n: &mut usize,
    binds: &mut Vec<String>,
) -> String {
    let mut param = |value: String, binds: &mut Vec<String>| {
        *n += 1;
        binds.push(value);
        format!("${n}")
    };
    let mut sql = String::from("FROM views r");
    for (j, join) in query.joins.iter().enumerate() {
        let view = param(join.view.to_owned(), binds);
        sql.push_str(&format!(
            " LEFT JOIN views j{j} ON j{j}.view_name = {view} AND j{j}.view_id = {}",
            dialect.json_text(&alias(join.from), &[join.by])
        ));
    }
    let view = param(query.view.to_owned(), binds);
    sql.push_str(&format!(" WHERE r.view_name = {view}"));
    for condition in &query.conditions {
        let clause = match condition {
            Condition::Equals {
                source,
                path,
                value,
            } => {
                let p = param(value.clone(), binds);
                format!("{} = {p}", dialect.json_text(&alias(*source), path))
            }
            Condition::Lists {
                source,
                path,
                value,
            } => {
                let p = param(value.clone(), binds);
                dialect.json_list_has(&alias(*source), path, &p)
            }
            Condition::ListsOrAny {
                source,
                path,
                value,
            } => {
                let p = param(value.clone(), binds);
                let a = alias(*source);
                format!(
                    "({} OR {})",
                    dialect.json_list_has(&a, path, &p),
                    dialect.json_list_empty(&a, path)
                )
            }
            Condition::Contains {
                source,
                path,
                value,
            } => {
                let p = param(like_pattern(value), binds);
                format!(
                    "LOWER({}) LIKE {p} ESCAPE '\\'",
                    dialect.json_text(&alias(*source), path)
                )
            }
            Condition::Missing { source, path } => {
                format!("{} IS NULL", dialect.json_text(&alias(*source), path))
            }
            Condition::IdAfter { id } => {
                let p = param(id.clone(), binds);
                format!("r.view_id > {p}")
            }
            Condition::IdBetween { low, high } => {
                let low = param(low.clone(), binds);
                let high = param(high.clone(), binds);
                match dialect.backend {
                    // SQLite compares text byte by byte.
                    Backend::Sqlite => format!("r.view_id >= {low} AND r.view_id <= {high}"),
                    // The first pair reads the range from the index, in the database's
                    // collation; the second keeps exactly the ids between the two in byte
                    // order (a collation that ignores punctuation could put other ids in).
                    Backend::Postgres => format!(
                        "r.view_id >= {low} AND r.view_id <= {high} \
                         AND r.view_id COLLATE \"C\" >= {low} AND r.view_id COLLATE \"C\" <= {high}"
                    ),
                }
            }
        };
        sql.push_str(" AND ");
        sql.push_str(&clause);
    }
    sql
}

fn alias(source: Source) -> String {
    match source {
        Source::Row => "r".to_owned(),
        Source::Joined(j) => format!("j{j}"),
    }
}

/// `%value%` in lower case with LIKE's wildcards escaped, so a search for `50%` or `a_b`
/// finds those characters rather than matching anything.
fn like_pattern(value: &str) -> String {
    let mut out = String::from("%");
    for c in value.to_lowercase().chars() {
        if matches!(c, '%' | '_' | '\\') {
            out.push('\\');
        }
        out.push(c);
    }
    out.push('%');
    out
}

/// Keeps a member name a plain identifier before it is written into SQL text.
pub(super) fn key(name: &str) -> String {
    name.chars()
        .filter(|c| c.is_ascii_alphanumeric() || *c == '_')
        .collect()
}

impl Dialect {
    /// The member at `path` of `alias`'s row as text (a number as its decimal text),
    /// NULL when absent.
    pub fn json_text(&self, alias: &str, path: &[&str]) -> String {
        let path: Vec<String> = path.iter().map(|k| key(k)).collect();
        match self.backend {
            Backend::Sqlite => format!(
                "CAST(json_extract({alias}.payload, '$.{}') AS TEXT)",
                path.join(".")
            ),
            Backend::Postgres => format!("({alias}.payload::jsonb #>> '{{{}}}')", path.join(",")),
        }
    }

    /// The member at `path` as an integer, for ordering (NULL when not a number).
    pub fn json_int(&self, alias: &str, member: &str) -> String {
        let member = key(member);
        match self.backend {
            Backend::Sqlite => {
                format!("CAST(json_extract({alias}.payload, '$.{member}') AS INTEGER)")
            }
            Backend::Postgres => format!(
                "(CASE WHEN jsonb_typeof({alias}.payload::jsonb -> '{member}') = 'number' \
                 THEN ({alias}.payload::jsonb ->> '{member}')::numeric END)"
            ),
        }
    }

    /// Whether the list at `path` holds the text parameter `param`.
    fn json_list_has(&self, alias: &str, path: &[&str], param: &str) -> String {
        let path: Vec<String> = path.iter().map(|k| key(k)).collect();
        match self.backend {
            Backend::Sqlite => format!(
                "EXISTS (SELECT 1 FROM json_each({alias}.payload, '$.{}') AS e \
                 WHERE e.type = 'text' AND e.value = {param})",
                path.join(".")
            ),
            // A member that is not a list is read as an empty one rather than failing
            // the whole query.
            Backend::Postgres => {
                let member = format!("{alias}.payload::jsonb #> '{{{}}}'", path.join(","));
                format!(
                    "EXISTS (SELECT 1 FROM jsonb_array_elements_text(CASE WHEN \
                     jsonb_typeof({member}) = 'array' THEN {member} ELSE '[]'::jsonb END) \
                     AS e(v) WHERE e.v = {param})"
                )
            }
        }
    }

    /// Whether the member at `path` is an empty list.
    fn json_list_empty(&self, alias: &str, path: &[&str]) -> String {
        let path: Vec<String> = path.iter().map(|k| key(k)).collect();
        match self.backend {
            Backend::Sqlite => format!(
                "(json_type({alias}.payload, '$.{0}') = 'array' \
                 AND json_array_length({alias}.payload, '$.{0}') = 0)",
                path.join(".")
            ),
            Backend::Postgres => format!(
                "(({alias}.payload::jsonb #> '{{{}}}') = '[]'::jsonb)",
                path.join(",")
            ),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn like_wildcards_are_escaped() {
        assert_eq!(like_pattern("50%_A\\"), "%50\\%\\_a\\\\%");
    }

    #[test]
    fn member_names_cannot_break_out_of_the_sql_text() {
        assert_eq!(key("name') OR 1=1 --"), "nameOR11");
    }

    #[test]
    fn parameters_are_numbered_in_order_of_appearance() {
        let mut query = ViewQuery::new("awards", Order::Newest);
        query.joins.push(Join {
            view: "offers",
            from: Source::Row,
            by: "offer",
        });
        query.conditions.push(Condition::Equals {
            source: Source::Joined(0),
            path: &["institution"],
            value: "MJCC".into(),
        });
        let (mut n, mut binds) = (0, Vec::new());
        let sql = from_sql(
            Dialect {
                backend: Backend::Postgres,
            },
            &query,
            &mut n,
            &mut binds,
        );
        assert_eq!(binds, ["offers", "awards", "MJCC"]);
        assert_eq!(n, 3);
        let (a, b, c) = (
            sql.find("$1").unwrap(),
            sql.find("$2").unwrap(),
            sql.find("$3").unwrap(),
        );
        assert!(a < b && b < c, "{sql}");
    }
}
