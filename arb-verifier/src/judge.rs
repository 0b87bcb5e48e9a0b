//! [`OpenAiJudge`]: the verifier over an OpenAI-compatible Chat Completions API.

use std::time::Duration;

use arb_core::matching::verify::{MarketText, Verifier, VerifyError};
use arb_core::model::Verdict;
use async_trait::async_trait;
use reqwest::StatusCode;

use crate::key::ApiKey;
use crate::{answer, prompt};

/// Where the judge is and how long to wait for it.
#[derive(Clone, Debug)]
pub struct JudgeSettings {
    /// The API's base URL, `http(s)://host[:port][/path]` (e.g. `https://api.openai.com/v1`);
    /// requests go to `{endpoint}/chat/completions`.
    pub endpoint: String,
    /// The model to ask (also names the verdicts and keys the cache).
    pub model: String,
    /// The bearer key, if the API needs one (a local server may not).
    pub api_key: Option<ApiKey>,
    /// How long one answer may take.
    pub timeout: Duration,
}

/// An LLM judge over an OpenAI-compatible Chat Completions API.
pub struct OpenAiJudge {
    http: reqwest::Client,
    url: String,
    model: String,
    api_key: Option<ApiKey>,
    timeout: Duration,
}

impl std::fmt::Debug for OpenAiJudge {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("OpenAiJudge")
            .field("url", &self.url)
            .field("model", &self.model)
            .field("api_key", &self.api_key)
            .field("timeout", &self.timeout)
            .finish_non_exhaustive()
    }
}

impl OpenAiJudge {
    /// A judge with `settings`.
    ///
    /// # Errors
    /// [`VerifyError::Config`] for an endpoint that is not an `http(s)` URL, an empty model, or
    /// an HTTP client that cannot be built.
    pub fn new(settings: JudgeSettings) -> Result<Self, VerifyError> {
        // An Err only means a provider is installed already, which is what we want.
        let _ = rustls::crypto::ring::default_provider().install_default();
        let endpoint = settings.endpoint.trim().trim_end_matches('/');
        let parsed = reqwest::Url::parse(endpoint)
            .map_err(|e| VerifyError::Config(format!("endpoint `{endpoint}`: {e}")))?;
        if !matches!(parsed.scheme(), "http" | "https") || !parsed.has_host() {
            return Err(VerifyError::Config(format!(
                "endpoint `{endpoint}`: expected an http:// or https:// URL with a host"
            )));
        }
        if settings.model.trim().is_empty() {
            return Err(VerifyError::Config("the model name is empty".into()));
        }
        let http = reqwest::Client::builder()
            .timeout(settings.timeout)
            .build()
            .map_err(|e| VerifyError::Config(format!("cannot build the HTTP client: {e}")))?;
        Ok(Self {
            http,
            url: format!("{endpoint}/chat/completions"),
            model: settings.model.trim().to_owned(),
            api_key: settings.api_key,
            timeout: settings.timeout,
        })
    }

    /// A transport failure as an error, the key scrubbed from its text.
    fn transport(&self, e: &reqwest::Error) -> VerifyError {
        if e.is_timeout() {
            VerifyError::Timeout(self.timeout)
        } else {
            VerifyError::Network(self.scrub(&e.to_string()))
        }
    }

    fn scrub(&self, text: &str) -> String {
        self.api_key
            .as_ref()
            .map_or_else(|| text.to_owned(), |key| key.scrub(text))
    }
}

#[async_trait]
impl Verifier for OpenAiJudge {
    fn model(&self) -> &str {
        &self.model
    }

    async fn verify(&self, a: &MarketText, b: &MarketText) -> Result<Verdict, VerifyError> {
        let mut request = self
            .http
            .post(&self.url)
            .json(&prompt::request(&self.model, a, b));
        if let Some(key) = &self.api_key {
            request = request.bearer_auth(key.expose());
        }
        let response = request.send().await.map_err(|e| self.transport(&e))?;
        let status = response.status();
        let body = response.bytes().await.map_err(|e| self.transport(&e))?;
        if matches!(status, StatusCode::UNAUTHORIZED | StatusCode::FORBIDDEN) {
            // The body may quote the key (or part of it): it is not shown.
            return Err(VerifyError::Unauthorized(status.as_u16()));
        }
        if !status.is_success() {
            return Err(VerifyError::Status {
                status: status.as_u16(),
                message: self.scrub(&answer::error_message(&body)),
            });
        }
        answer::verdict(&body, &self.model)
    }
}
