//! The 360Giving package checked against the official Data Standard schemas (version
//! 1.4.3, vendored in `projections/tests/data/360giving/`, CC BY 4.0 by 360Giving), as
//! their README says to:
//! the grant schema registered under its published URL, JSON Schema 2020-12, with
//! format checking on. Offline: nothing is fetched.

use std::path::PathBuf;

use jsonschema::{Draft, Registry, Validator};
use serde_json::{json, Value};

use super::fixture;
use super::giving360::{grant, package, PackageMeta};

/// The schemas are vendored test data in this crate, so the check needs nothing outside
/// the repository.
fn anchor(name: &str) -> Value {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/data/360giving")
        .join(name);
    let text = std::fs::read_to_string(&path)
        .unwrap_or_else(|e| panic!("cannot read the 360Giving schema {}: {e}", path.display()));
    serde_json::from_str(&text).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// The package schema resolves `grants.items` by the grant schema's published URL, which
/// names version 1.4.2 while the grant schema's own `$id` says 1.4.3: both are registered.
fn validate(document: &Value) -> Vec<String> {
    let grant_schema = anchor("360-giving-schema.json");
    let package_schema = anchor("360-giving-package-schema.json");
    let urls = [
        "https://raw.githubusercontent.com/ThreeSixtyGiving/standard/1.4.2/schema/360-giving-schema.json",
        "https://raw.githubusercontent.com/ThreeSixtyGiving/standard/1.4.3/schema/360-giving-schema.json",
    ];
    let registry = Registry::new()
        .draft(Draft::Draft202012)
        .extend(urls.map(|u| (u, grant_schema.clone())))
        .and_then(|b| b.prepare())
        .expect("the grant schema registers");
    let validator: Validator = jsonschema::options()
        .with_draft(Draft::Draft202012)
        .should_validate_formats(true)
        .with_registry(&registry)
        .build(&package_schema)
        .expect("the package schema compiles");
    validator
        .iter_errors(document)
        .map(|e| format!("{} at {}", e, e.instance_path()))
        .collect()
}

fn scenario_package() -> Value {
    package(
        &fixture::grants(),
        &PackageMeta {
            base_url: Some("https://sijill.example"),
            issued: Some("2026-01-25T09:00:00.000Z"),
        },
    )
}

#[test]
fn the_package_of_the_scenario_is_valid_360giving() {
    let document = scenario_package();
    assert_eq!(document["grants"].as_array().map(Vec::len), Some(2));
    let errors = validate(&document);
    assert!(errors.is_empty(), "{errors:#?}\n{document:#}");
}

#[test]
fn the_package_without_links_is_valid_too() {
    let document = package(&fixture::grants(), &PackageMeta::default());
    let errors = validate(&document);
    assert!(errors.is_empty(), "{errors:#?}");
}

#[test]
fn a_grant_without_a_recipient_is_refused() {
    // The check can fail: the same package less one grant's recipient is invalid.
    let mut document = scenario_package();
    let removed = document["grants"][0]
        .as_object_mut()
        .and_then(|g| g.remove("recipientOrganization"));
    assert!(removed.is_some());
    assert!(!validate(&document).is_empty());
}

#[test]
fn a_malformed_date_or_unknown_currency_is_refused() {
    // Format checking is on: a date-time that is not RFC 3339 fails.
    let mut document = scenario_package();
    document["grants"][0]["dateModified"] = json!("19/01/2026");
    assert!(!validate(&document).is_empty());
    let mut document = scenario_package();
    document["grants"][0]["currency"] = json!("DHS");
    assert!(!validate(&document).is_empty());
}

#[test]
fn amounts_are_numbers_not_strings() {
    let grants = fixture::grants();
    let g = grant(&grants[0], None);
    assert!(g["amountAwarded"].is_number() && g["amountDisbursed"].is_number());
    let mut document = scenario_package();
    document["grants"][0]["amountAwarded"] = json!("120000");
    assert!(!validate(&document).is_empty());
}
