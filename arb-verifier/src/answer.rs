//! Reading a Chat Completions answer into a verdict, and an error answer into a short message.

use arb_core::matching::verify::VerifyError;
use arb_core::model::{Relation, Verdict};
use serde::Deserialize;

/// At most this many differences are kept from one verdict.
const MAX_DIFFERENCES: usize = 12;
/// Each difference, and a server's error message, is cut to this many characters.
const MAX_TEXT_CHARS: usize = 300;

#[derive(Deserialize)]
struct Completion {
    choices: Vec<Choice>,
}

#[derive(Deserialize)]
struct Choice {
    message: Message,
    finish_reason: Option<String>,
}

#[derive(Deserialize)]
struct Message {
    content: Option<String>,
    refusal: Option<String>,
}

/// The JSON object the model is told to answer with.
#[derive(Deserialize)]
struct Judgement {
    relation: String,
    #[serde(default)]
    differences: Vec<String>,
}

/// The verdict in a successful answer's `body`, credited to `model`.
pub(crate) fn verdict(body: &[u8], model: &str) -> Result<Verdict, VerifyError> {
    let completion: Completion = serde_json::from_slice(body)
        .map_err(|e| VerifyError::Malformed(format!("not a chat completion ({e})")))?;
    let choice = completion
        .choices
        .into_iter()
        .next()
        .ok_or_else(|| VerifyError::Malformed("no choices in the answer".into()))?;
    if let Some(refusal) = choice.message.refusal.filter(|r| !r.trim().is_empty()) {
        return Err(VerifyError::Refused(short(&refusal)));
    }
    if choice.finish_reason.as_deref() == Some("content_filter") {
        return Err(VerifyError::Refused("stopped by the content filter".into()));
    }
    let content = choice
        .message
        .content
        .filter(|c| !c.trim().is_empty())
        .ok_or_else(|| VerifyError::Malformed("an empty answer".into()))?;
    let judgement: Judgement = serde_json::from_str(unfenced(&content)).map_err(|e| {
        VerifyError::Malformed(format!(
            "the answer is not {{\"relation\", \"differences\"}} JSON ({e})"
        ))
    })?;
    let relation: Relation = judgement.relation.parse().map_err(VerifyError::Malformed)?;
    let differences = judgement
        .differences
        .iter()
        .map(|d| short(d))
        .filter(|d| !d.is_empty())
        .take(MAX_DIFFERENCES)
        .collect();
    Ok(Verdict {
        relation,
        differences,
        model: model.to_owned(),
    })
}

/// The message of an error answer (`{"error": {"message": …}}`, or the body as text), short.
pub(crate) fn error_message(body: &[u8]) -> String {
    #[derive(Deserialize)]
    struct ErrorBody {
        error: ErrorDetail,
    }
    #[derive(Deserialize)]
    struct ErrorDetail {
        message: String,
    }
    match serde_json::from_slice::<ErrorBody>(body) {
        Ok(e) => short(&e.error.message),
        Err(_) => short(&String::from_utf8_lossy(body)),
    }
}

/// The JSON inside a Markdown code fence some models wrap it in, or `content` itself.
fn unfenced(content: &str) -> &str {
    let trimmed = content.trim();
    trimmed
        .strip_prefix("```json")
        .or_else(|| trimmed.strip_prefix("```"))
        .and_then(|rest| rest.strip_suffix("```"))
        .map_or(trimmed, str::trim)
}

/// `text` on one line (whitespace runs and control characters made one space), at most
/// [`MAX_TEXT_CHARS`] characters.
fn short(text: &str) -> String {
    let one_line = text
        .split(|c: char| c.is_whitespace() || c.is_control())
        .filter(|w| !w.is_empty())
        .collect::<Vec<_>>()
        .join(" ");
    match one_line.char_indices().nth(MAX_TEXT_CHARS) {
        None => one_line,
        Some((end, _)) => format!("{}…", &one_line[..end]),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn completion(content: &str) -> Vec<u8> {
        serde_json::json!({
            "choices": [{ "message": { "role": "assistant", "content": content },
                          "finish_reason": "stop" }]
        })
        .to_string()
        .into_bytes()
    }

    #[test]
    fn a_fenced_answer_with_messy_differences_is_read() {
        let body = completion(
            "```json\n{\"relation\": \"Inverse\", \"differences\": [\"  A: Coinbase,\\n B: CF  \", \"\"]}\n```",
        );
        let verdict = verdict(&body, "m").unwrap();
        assert_eq!(verdict.relation, Relation::Inverse);
        assert_eq!(verdict.differences, vec!["A: Coinbase, B: CF".to_owned()]);
        assert_eq!(verdict.model, "m");
    }

    #[test]
    fn answers_that_are_not_verdicts_are_malformed() {
        for body in [
            completion("{\"relation\": \"same\"}"),
            completion("relation: equivalent"),
            completion("{\"differences\": []}"),
            completion(""),
            b"{\"choices\": []}".to_vec(),
            b"<html>bad gateway</html>".to_vec(),
        ] {
            assert!(
                matches!(verdict(&body, "m"), Err(VerifyError::Malformed(_))),
                "{}",
                String::from_utf8_lossy(&body)
            );
        }
    }

    #[test]
    fn long_texts_are_cut_and_error_bodies_read() {
        assert_eq!(short(&"x".repeat(400)).chars().count(), MAX_TEXT_CHARS + 1);
        assert_eq!(
            error_message(b"{\"error\": {\"message\": \"Rate limit\\nreached\"}}"),
            "Rate limit reached"
        );
        assert_eq!(error_message(b"upstream down"), "upstream down");
    }
}
