//! Conversions between domain values and column values that both backends share: enums as their
//! serde names, tagged enums split into a tag and a detail column, integers, and decimal text.

use arb_core::Decimal;
use arb_core::store::StoreError;
use serde::Serialize;
use serde::de::DeserializeOwned;
use serde_json::{Map, Value};

/// A `Corrupt` error for a value that could not be read back.
pub(crate) fn corrupt(what: &str, message: impl std::fmt::Display) -> StoreError {
    StoreError::Corrupt {
        what: what.to_owned(),
        message: message.to_string(),
    }
}

/// A fieldless enum as its serde name (`OrderStatus::PartiallyFilled` → `partially_filled`).
pub(crate) fn enum_text<T: Serialize>(value: &T) -> Result<String, StoreError> {
    match serde_json::to_value(value) {
        Ok(Value::String(text)) => Ok(text),
        Ok(other) => Err(corrupt(
            std::any::type_name::<T>(),
            format!("expected a name, serialised as {other}"),
        )),
        Err(e) => Err(corrupt(std::any::type_name::<T>(), e)),
    }
}

/// The enum named `text` (the inverse of [`enum_text`]).
pub(crate) fn parse_enum<T: DeserializeOwned>(what: &str, text: String) -> Result<T, StoreError> {
    serde_json::from_value(Value::String(text)).map_err(|e| corrupt(what, e))
}

/// An adjacently tagged enum (`#[serde(tag = "…", content = "…")]`) as its tag and text detail.
pub(crate) fn split_tagged<T: Serialize>(
    value: &T,
    tag: &str,
    content: &str,
) -> Result<(String, Option<String>), StoreError> {
    let what = std::any::type_name::<T>();
    let json = serde_json::to_value(value).map_err(|e| corrupt(what, e))?;
    let name = match json.get(tag) {
        Some(Value::String(name)) => name.clone(),
        _ => return Err(corrupt(what, format!("no `{tag}` in {json}"))),
    };
    let detail = match json.get(content) {
        None | Some(Value::Null) => None,
        Some(Value::String(text)) => Some(text.clone()),
        Some(other) => Some(other.to_string()),
    };
    Ok((name, detail))
}

/// The inverse of [`split_tagged`].
pub(crate) fn join_tagged<T: DeserializeOwned>(
    what: &str,
    tag: &str,
    content: &str,
    name: String,
    detail: Option<String>,
) -> Result<T, StoreError> {
    let mut json = Map::new();
    json.insert(tag.to_owned(), Value::String(name));
    if let Some(detail) = detail {
        json.insert(content.to_owned(), Value::String(detail));
    }
    serde_json::from_value(Value::Object(json)).map_err(|e| corrupt(what, e))
}

/// A stored count back into the domain's `u32`.
pub(crate) fn to_u32(what: &str, value: i64) -> Result<u32, StoreError> {
    u32::try_from(value).map_err(|e| corrupt(what, e))
}

/// A caller's row limit as SQL `LIMIT` (saturating: no limit is larger than `i64::MAX`).
pub(crate) fn sql_limit(limit: usize) -> i64 {
    i64::try_from(limit).unwrap_or(i64::MAX)
}

/// Decimal text written by `Decimal::to_string` back into a `Decimal`.
pub(crate) fn parse_decimal(what: &str, text: &str) -> Result<Decimal, StoreError> {
    text.parse::<Decimal>().map_err(|e| corrupt(what, e))
}

#[cfg(test)]
mod tests {
    use arb_core::model::{ExecutionId, MarketStatus, OpportunityDecision, OrderStatus, Outcome};

    use super::*;

    #[test]
    fn enums_round_trip_through_their_names() {
        let text = enum_text(&OrderStatus::PartiallyFilled).unwrap();
        assert_eq!(text, "partially_filled");
        let back: OrderStatus = parse_enum("status", text).unwrap();
        assert_eq!(back, OrderStatus::PartiallyFilled);
        assert!(matches!(
            parse_enum::<OrderStatus>("status", "bogus".into()),
            Err(StoreError::Corrupt { .. })
        ));
    }

    #[test]
    fn tagged_enums_split_into_name_and_detail() {
        let settled = MarketStatus::Settled(Outcome::No);
        let (name, detail) = split_tagged(&settled, "state", "result").unwrap();
        assert_eq!((name.as_str(), detail.as_deref()), ("settled", Some("no")));
        let back: MarketStatus = join_tagged("status", "state", "result", name, detail).unwrap();
        assert_eq!(back, settled);

        let executed = OpportunityDecision::Executed(ExecutionId::new("x-1"));
        let (name, detail) = split_tagged(&executed, "kind", "detail").unwrap();
        assert_eq!(
            (name.as_str(), detail.as_deref()),
            ("executed", Some("x-1"))
        );
        let back: OpportunityDecision =
            join_tagged("decision", "kind", "detail", name, detail).unwrap();
        assert_eq!(back, executed);
    }

    #[test]
    fn decimal_text_is_exact() {
        assert_eq!(
            parse_decimal("d", "12345678.000001").unwrap().to_string(),
            "12345678.000001"
        );
        assert!(parse_decimal("d", "1.2.3").is_err());
    }
}
