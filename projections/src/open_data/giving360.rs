//! The 360Giving data package of Sijill's awards (Data Standard 1.4, schemas in
//! `projections/tests/data/360giving/`): one grant per award, its amounts in MAD.
//!
//! Identifiers use the publisher prefix `360G-sijill-`. Moroccan institutions and
//! associations have no identifier in the org-id lists 360Giving draws on, so they get
//! the prefixed identifiers 360Giving's guidance allows for organisations without one:
//! `360G-sijill-institution-<id>` and `360G-sijill-association-<id>`.

use serde_json::{json, Map, Value};

use super::Grant;

/// The publisher prefix of every identifier in the package.
pub const ID_PREFIX: &str = "360G-sijill-";
/// The Data Standard version the package follows (`major.minor`, as the schema asks).
pub const STANDARD_VERSION: &str = "1.4";
/// Currency of every amount (ISO 4217).
pub const CURRENCY: &str = "MAD";
/// Country of every organisation and location (ISO 3166-1 alpha-2).
pub const COUNTRY: &str = "MA";

/// What the package says about itself beyond its grants.
#[derive(Clone, Copy, Debug, Default)]
pub struct PackageMeta<'a> {
    /// The server's public base URL (`https://host`), without a trailing slash. Links
    /// (grant programmes, grants, their audit trails) are given only when it is known,
    /// since 360Giving wants absolute URLs.
    pub base_url: Option<&'a str>,
    /// The instant the package describes: the ledger's latest entry (entry form). The
    /// ledger's own time, never the wall clock, so the same log gives the same package.
    pub issued: Option<&'a str>,
}

/// The data package: `grants` plus its metadata. The schema wants at least one grant: a
/// ledger without awards yields a package with an empty `grants` list, which says so
/// honestly rather than inventing one.
pub fn package(grants: &[Grant], meta: &PackageMeta<'_>) -> Value {
    let mut out = Map::new();
    out.insert(
        "grants".into(),
        Value::Array(grants.iter().map(|g| grant(g, meta.base_url)).collect()),
    );
    out.insert("version".into(), json!(STANDARD_VERSION));
    out.insert(
        "title".into(),
        json!("Sijill: public support to associations in Morocco"),
    );
    out.insert(
        "description".into(),
        json!(
            "Every award granted through Sijill's signed, append-only ledger: offer, \
             funding institution, recipient association, amounts applied for, awarded and \
             disbursed, and revocations. Each grant links to the signed entries behind it."
        ),
    );
    out.insert("identifier".into(), json!(format!("{ID_PREFIX}awards")));
    out.insert("publisher".into(), json!({"name": "Sijill"}));
    if let Some(issued) = meta.issued {
        out.insert("issued".into(), json!(issued));
    }
    // The package changed when its latest grant did.
    if let Some(modified) = grants.iter().map(|g| g.modified_at.as_str()).max() {
        out.insert("modified".into(), json!(modified));
    }
    if let Some(base) = meta.base_url {
        out.insert(
            "downloadURL".into(),
            json!(format!("{base}/v1/exports/360giving.json")),
        );
    }
    Value::Object(out)
}

/// One award as a 360Giving grant.
pub fn grant(g: &Grant, base_url: Option<&str>) -> Value {
    let mut programme = json!({"code": g.offer_id, "title": g.offer_title});
    let mut recipient = json!({
        "id": format!("{ID_PREFIX}association-{}", g.association_id),
        "name": g.association_name,
        "addressCountry": COUNTRY,
    });
    if let Some(region) = g.region_name {
        recipient["addressRegion"] = json!(region);
    }
    let mut description = g.description.clone();
    if g.status == "revoked" {
        // 360Giving has no status field: a revocation is said where a reader looks.
        let on = g
            .revoked_at
            .as_deref()
            .and_then(|t| t.get(..10))
            .unwrap_or("");
        let reason = g.revocation_reason.as_deref().unwrap_or("");
        description = format!("{description} [Revoked on {on}: {reason}]")
            .trim_start()
            .to_owned();
    }
    let mut out = json!({
        "id": format!("{ID_PREFIX}{}", g.award_id),
        "title": g.title,
        "description": description,
        "currency": CURRENCY,
        "amountAppliedFor": mad(g.applied_for_centimes),
        "amountAwarded": mad(g.awarded_centimes),
        "amountDisbursed": mad(g.disbursed_centimes),
        "awardDate": g.award_date(),
        "fromOpenCall": "Yes",
        "fundingOrganization": [{
            "id": format!("{ID_PREFIX}institution-{}", g.institution_id),
            "name": g.institution_name,
        }],
        "recipientOrganization": [recipient],
        "dateModified": g.modified_at,
    });
    if let Some(region) = g.region_name {
        out["beneficiaryLocation"] = json!([{
            "name": region,
            "countryCode": COUNTRY,
            "geoCode": g.region_code,
            "geoCodeType": "ISO 3166-2",
        }]);
    }
    if let Some(base) = base_url {
        programme["url"] = json!(format!("{base}/v1/offers/{}", segment(&g.offer_id)));
        out["url"] = json!(format!("{base}/v1/awards/{}", segment(&g.award_id)));
        // The source of this grant's data is the signed entries of its stream.
        out["dataSource"] = json!(format!("{base}/v1/streams/award/{}", segment(&g.award_id)));
    }
    out["grantProgramme"] = json!([programme]);
    out
}

/// An amount in centimes as MAD, the unit 360Giving expects: an integer when it is whole,
/// else a number with two decimals. An f64 holds every amount below 2^53 centimes (about
/// 90 trillion MAD) exactly enough that its shortest decimal form is the exact amount.
pub fn mad(centimes: i64) -> Value {
    if centimes % 100 == 0 {
        json!(centimes / 100)
    } else {
        // Precision loss only beyond 2^53 centimes, far above any budget.
        #[allow(clippy::cast_precision_loss)]
        let value = centimes as f64 / 100.0;
        json!(value)
    }
}

/// `id` made safe as one URL path segment: ids are `[A-Za-z0-9._-]` by the domain's rule,
/// but a row read from the database is not trusted to keep it.
fn segment(id: &str) -> String {
    let mut out = String::with_capacity(id.len());
    for byte in id.bytes() {
        if byte.is_ascii_alphanumeric() || matches!(byte, b'.' | b'_' | b'-' | b'~') {
            out.push(char::from(byte));
        } else {
            out.push_str(&format!("%{byte:02X}"));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::super::fixture;
    use super::*;

    #[test]
    fn amounts_are_in_mad_with_exact_decimals() {
        assert_eq!(mad(12_000_000), json!(120_000));
        assert_eq!(mad(7_500_050), json!(75_000.5));
        assert_eq!(mad(2_500_051).to_string(), "25000.51");
        assert_eq!(mad(1).to_string(), "0.01");
        assert_eq!(mad(0), json!(0));
    }

    #[test]
    fn a_grant_carries_the_award_its_offer_funder_recipient_and_location() {
        let grants = fixture::grants();
        let g = grant(&grants[0], Some("https://sijill.example"));
        assert_eq!(g["id"], "360G-sijill-W1");
        assert_eq!(g["title"], "Conseils de jeunes");
        assert_eq!(g["currency"], "MAD");
        assert_eq!(g["amountAppliedFor"], 150_000);
        assert_eq!(g["amountAwarded"], 120_000);
        assert_eq!(g["amountDisbursed"], 75_000.5);
        assert_eq!(g["awardDate"], "2026-01-20");
        assert_eq!(g["fromOpenCall"], "Yes");
        assert_eq!(g["grantProgramme"][0]["code"], "O1");
        assert_eq!(g["grantProgramme"][0]["title"], "Jeunesse et citoyenneté");
        assert_eq!(
            g["grantProgramme"][0]["url"],
            "https://sijill.example/v1/offers/O1"
        );
        assert_eq!(
            g["fundingOrganization"][0]["id"],
            "360G-sijill-institution-MJCC"
        );
        assert_eq!(g["recipientOrganization"][0]["name"], "Association Amal");
        assert_eq!(g["beneficiaryLocation"][0]["geoCode"], "MA-04");
        assert_eq!(g["beneficiaryLocation"][0]["countryCode"], "MA");
        assert_eq!(g["beneficiaryLocation"][0]["name"], "Rabat-Salé-Kénitra");
        assert_eq!(g["dateModified"], "2026-01-23T09:00:00.000Z");
        assert_eq!(
            g["dataSource"],
            "https://sijill.example/v1/streams/award/W1"
        );
    }

    #[test]
    fn a_revoked_grant_says_so_in_its_description() {
        let grants = fixture::grants();
        let g = grant(&grants[1], None);
        assert!(
            g["description"]
                .as_str()
                .unwrap()
                .ends_with("[Revoked on 2026-01-25: Activité non réalisée]"),
            "{g}"
        );
        // Without a base URL there are no links rather than relative ones.
        assert!(g.get("url").is_none() && g["grantProgramme"][0].get("url").is_none());
    }

    #[test]
    fn ids_are_escaped_in_links() {
        assert_eq!(segment("A.b_c-9"), "A.b_c-9");
        assert_eq!(segment("a/b c"), "a%2Fb%20c");
    }
}
