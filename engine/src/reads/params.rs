//! Query parameters that are numbers: indexes, sizes, pages.

use std::collections::HashMap;

use crate::refusal::Refusal;

/// A required non-negative integer query parameter.
///
/// # Errors
/// 400 `missing_parameter` or `invalid_parameter`, naming it.
pub fn param(params: &HashMap<String, String>, name: &str) -> Result<u64, Refusal> {
    let text = params
        .get(name)
        .ok_or_else(|| Refusal::bad_request("missing_parameter", format!("{name} is required")))?;
    parse_u64(name, text)
}

/// An optional non-negative integer query parameter.
///
/// # Errors
/// 400 `invalid_parameter`, naming it.
pub fn optional_param(
    params: &HashMap<String, String>,
    name: &str,
) -> Result<Option<u64>, Refusal> {
    params
        .get(name)
        .map(|text| parse_u64(name, text))
        .transpose()
}

/// `text` as the non-negative integer parameter `name`.
///
/// # Errors
/// 400 `invalid_parameter`, naming it.
pub fn parse_u64(name: &str, text: &str) -> Result<u64, Refusal> {
    // Digits only: "+1", " 1" and "1e3" are not indexes.
    if text.is_empty() || text.len() > 19 || !text.bytes().all(|b| b.is_ascii_digit()) {
        return Err(Refusal::bad_request(
            "invalid_parameter",
            format!("{name} must be a non-negative integer"),
        ));
    }
    text.parse()
        .map_err(|_| Refusal::bad_request("invalid_parameter", format!("{name} is out of range")))
}
