//! The one place that talks to Partner Center (DOMAIN §8), asynchronously, off the UI thread:
//! a token by the client-credentials grant (kept until shortly before it expires), reads with
//! Microsoft's headers (`MS-CorrelationId`, an `MS-RequestId` kept on every retry of the same
//! call), paging by `MS-ContinuationToken`, Microsoft's rate (500 requests a minute) kept, `429`
//! answered by waiting `Retry-After`, server errors and dropped connections retried with
//! back-off, every request under a timeout. Microsoft's refusals come back with its code and
//! description.

use super::{MsCustomer, MsSubscription, Page, RESOURCE};
use crate::{Error, Result};
use serde::de::DeserializeOwned;
use std::pin::Pin;
use std::time::Duration;
use tokio::time::{sleep, Sleep};

/// Where Partner Center and its sign-in are (Microsoft's public cloud by default; another
/// cloud, or a simulator in tests).
#[derive(Debug, Clone)]
pub struct Endpoints {
    pub partner_center: String,
    pub login: String,
}

impl Default for Endpoints {
    fn default() -> Self {
        Endpoints { partner_center: super::DEFAULT_PARTNER_CENTER_URL.into(), login: super::DEFAULT_LOGIN_URL.into() }
    }
}

impl Endpoints {
    /// Microsoft's public cloud, but for the addresses a front was given (its environment's
    /// `SEATBOOK_PARTNER_CENTER_URL` and `SEATBOOK_LOGIN_URL`).
    pub fn with_overrides(partner_center: Option<String>, login: Option<String>) -> Endpoints {
        let d = Endpoints::default();
        Endpoints { partner_center: partner_center.unwrap_or(d.partner_center), login: login.unwrap_or(d.login) }
    }
}

/// The partner's application: its tenant, its id, and how it signs in: its secret (app only), or
/// a user's refresh token (app + user, Microsoft's Secure Application Model; the secret too, for
/// a confidential application). From the credential store or the environment; never written
/// anywhere by this module.
#[derive(Clone)]
pub struct Credentials {
    pub tenant: String,
    pub client_id: String,
    pub secret: Option<String>,
    pub refresh_token: Option<String>,
}

/// Microsoft's device code (`POST {login}/{tenant}/oauth2/devicecode`): what the user types
/// where, and what Seatbook redeems meanwhile.
#[derive(Debug, Clone, serde::Serialize, serde::Deserialize)]
pub struct DeviceCode {
    pub user_code: String,
    pub device_code: String,
    #[serde(default, alias = "verification_uri")]
    pub verification_url: String,
    /// Seconds (a string or a number in Microsoft's answers).
    #[serde(default)]
    pub expires_in: serde_json::Value,
    #[serde(default)]
    pub interval: serde_json::Value,
    #[serde(default)]
    pub message: String,
}

fn seconds(v: &serde_json::Value, default: u64) -> u64 {
    match v {
        serde_json::Value::String(s) => s.parse().unwrap_or(default),
        serde_json::Value::Number(n) => n.as_u64().unwrap_or(default),
        _ => default,
    }
}

impl std::fmt::Debug for Credentials {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Credentials").field("tenant", &self.tenant).field("client_id", &self.client_id).finish_non_exhaustive()
    }
}

/// How long to wait and how often to try.
#[derive(Debug, Clone, Copy)]
pub struct Patience {
    /// The shortest gap between two requests (Microsoft allows 500 a minute per resource).
    pub pace: Duration,
    /// Tries of one call before giving up.
    pub attempts: u32,
    /// The longest `Retry-After` waited for; a longer one ends the call (try later).
    pub longest_wait: Duration,
    /// Each request's timeout, connection to last byte.
    pub timeout: Duration,
}

impl Default for Patience {
    fn default() -> Self {
        Patience { pace: Duration::from_millis(120), attempts: 6, longest_wait: Duration::from_secs(120), timeout: Duration::from_secs(60) }
    }
}

pub struct Client {
    http: reqwest::Client,
    endpoints: Endpoints,
    credentials: Credentials,
    patience: Patience,
    /// The token, and a timer that runs out five minutes before it does (the core reads no
    /// clock: tokio's timers do).
    token: Option<(String, Pin<Box<Sleep>>)>,
    /// Runs out when the next request may go (Microsoft's pace).
    next_request: Option<Pin<Box<Sleep>>>,
    correlation: String,
    /// Requests sent (tokens included).
    pub requests: u32,
}

/// Microsoft's error body: `{"code", "description", …}`.
#[derive(Debug, serde::Deserialize)]
struct MsError {
    #[serde(default)]
    code: serde_json::Value,
    #[serde(default)]
    description: String,
    #[serde(default)]
    message: String,
}

#[derive(serde::Deserialize)]
struct Token {
    access_token: String,
    #[serde(default)]
    refresh_token: Option<String>,
    /// Seconds, as a string ("3600") or a number.
    #[serde(default)]
    expires_in: serde_json::Value,
}

#[derive(serde::Deserialize)]
struct TokenError {
    #[serde(default)]
    error: String,
    #[serde(default)]
    error_description: String,
}

/// A new `MS-RequestId` (or any id of ours).
pub fn new_id() -> String {
    uuid::Uuid::new_v4().to_string()
}

impl Client {
    pub fn new(endpoints: Endpoints, credentials: Credentials, patience: Patience) -> Result<Client> {
        let http = reqwest::Client::builder()
            .connect_timeout(Duration::from_secs(10).min(patience.timeout))
            .timeout(patience.timeout)
            .build()
            .map_err(|e| Error::unavailable(format!("cannot set up HTTPS: {e}")))?;
        Ok(Client { http, endpoints, credentials, patience, token: None, next_request: None, correlation: new_id(), requests: 0 })
    }

    /// Keep Microsoft's pace: wait until `pace` has passed since the last request.
    async fn pace(&mut self) {
        if let Some(wait) = self.next_request.take() {
            wait.await;
        }
        self.next_request = Some(Box::pin(sleep(self.patience.pace)));
        self.requests += 1;
    }

    /// A token for Partner Center: the one kept, unless it expires within five minutes.
    pub async fn token(&mut self) -> Result<String> {
        if let Some((token, fresh)) = &self.token {
            if !fresh.is_elapsed() {
                return Ok(token.clone());
            }
        }
        let url = format!("{}/{}/oauth2/token", self.endpoints.login.trim_end_matches('/'), self.credentials.tenant);
        let c = &self.credentials;
        let mut form: Vec<(&str, String)> = vec![("client_id", c.client_id.clone()), ("resource", RESOURCE.to_string())];
        match (&c.refresh_token, &c.secret) {
            (Some(refresh), secret) => {
                form.push(("grant_type", "refresh_token".into()));
                form.push(("refresh_token", refresh.clone()));
                if let Some(s) = secret {
                    form.push(("client_secret", s.clone()));
                }
            }
            (None, Some(secret)) => {
                form.push(("grant_type", "client_credentials".into()));
                form.push(("client_secret", secret.clone()));
            }
            (None, None) => return Err(Error::refused("no client secret or refresh token to sign in to Partner Center with")),
        }
        let mut attempt = 0;
        loop {
            attempt += 1;
            self.pace().await;
            let sent = self.http.post(&url).form(&form).send().await;
            match sent {
                Ok(r) if r.status().is_success() => {
                    let t: Token = r
                        .json()
                        .await
                        .map_err(|e| Error::unavailable(format!("Microsoft's sign-in answered what Seatbook cannot read: {e}")))?;
                    let secs = seconds(&t.expires_in, 3600);
                    self.token = Some((t.access_token.clone(), Box::pin(sleep(Duration::from_secs(secs.saturating_sub(300))))));
                    if let (Some(new), Some(_)) = (t.refresh_token, &self.credentials.refresh_token) {
                        // Microsoft rotates the refresh token: the new one is the one to keep.
                        self.credentials.refresh_token = Some(new);
                    }
                    return Ok(t.access_token);
                }
                Ok(r) if r.status().is_server_error() && attempt < self.patience.attempts => backoff(attempt).await,
                Ok(r) => return Err(sign_in_refused(r).await),
                Err(e) if e.is_connect() && attempt < 2 => backoff(attempt).await,
                Err(e) if !e.is_connect() && attempt < self.patience.attempts && (e.is_timeout() || e.is_request()) => {
                    backoff(attempt).await
                }
                Err(e) => return Err(unreachable("Microsoft's sign-in", &e)),
            }
        }
    }

    /// The refresh token now (Microsoft's latest, after a rotation), to keep.
    pub fn refresh_token(&self) -> Option<&str> {
        self.credentials.refresh_token.as_deref()
    }

    /// Ask Microsoft's sign-in for a device code: the user signs in elsewhere with it.
    pub async fn device_code(&mut self) -> Result<DeviceCode> {
        let url = format!("{}/{}/oauth2/devicecode", self.endpoints.login.trim_end_matches('/'), self.credentials.tenant);
        let form = [("client_id", self.credentials.client_id.clone()), ("resource", RESOURCE.to_string())];
        self.pace().await;
        let r = self.http.post(&url).form(&form).send().await.map_err(|e| unreachable("Microsoft's sign-in", &e))?;
        if !r.status().is_success() {
            return Err(sign_in_refused(r).await);
        }
        r.json().await.map_err(|e| Error::unavailable(format!("Microsoft's sign-in answered what Seatbook cannot read: {e}")))
    }

    /// Wait for the user to sign in with `code` (polling at Microsoft's interval, until it
    /// expires): the user's refresh token, and an access token kept for what follows.
    pub async fn redeem(&mut self, code: &DeviceCode) -> Result<String> {
        let url = format!("{}/{}/oauth2/token", self.endpoints.login.trim_end_matches('/'), self.credentials.tenant);
        let mut interval = seconds(&code.interval, 5).max(1);
        let deadline = Box::pin(sleep(Duration::from_secs(seconds(&code.expires_in, 900))));
        let mut form: Vec<(&str, String)> = vec![
            ("grant_type", "device_code".into()),
            ("client_id", self.credentials.client_id.clone()),
            ("resource", RESOURCE.to_string()),
            ("code", code.device_code.clone()),
        ];
        if let Some(s) = &self.credentials.secret {
            form.push(("client_secret", s.clone()));
        }
        loop {
            if deadline.is_elapsed() {
                return Err(Error::refused("the device code expired before anyone signed in with it: start again"));
            }
            self.pace().await;
            let r = self.http.post(&url).form(&form).send().await.map_err(|e| unreachable("Microsoft's sign-in", &e))?;
            if r.status().is_success() {
                let t: Token = r
                    .json()
                    .await
                    .map_err(|e| Error::unavailable(format!("Microsoft's sign-in answered what Seatbook cannot read: {e}")))?;
                let secs = seconds(&t.expires_in, 3600);
                self.token = Some((t.access_token.clone(), Box::pin(sleep(Duration::from_secs(secs.saturating_sub(300))))));
                let refresh =
                    t.refresh_token.ok_or_else(|| Error::refused("Microsoft's sign-in gave no refresh token for this application"))?;
                self.credentials.refresh_token = Some(refresh.clone());
                return Ok(refresh);
            }
            let status = r.status();
            let e: TokenError = r.json().await.unwrap_or(TokenError { error: String::new(), error_description: String::new() });
            match e.error.as_str() {
                "authorization_pending" => sleep(Duration::from_secs(interval)).await,
                "slow_down" => {
                    interval += 5;
                    sleep(Duration::from_secs(interval)).await
                }
                _ => return Err(token_refusal(status, &e)),
            }
        }
    }

    /// `GET` a path of Partner Center (with its query), as JSON of type `T`; `continuation`
    /// asks for the next page of a collection.
    pub async fn get<T: DeserializeOwned>(&mut self, path: &str, continuation: Option<&str>) -> Result<T> {
        let r =
            self.call(reqwest::Method::GET, path, Call { continuation, ..Call::default() }, &new_id()).await.map_err(|f| f.error(path))?;
        r.json::<T>().await.map_err(|e| Error::unavailable(format!("Partner Center answered {path} with what Seatbook cannot read: {e}")))
    }

    /// One call to Partner Center, tried again as Microsoft asks: `429` after its `Retry-After`
    /// (up to `longest_wait`), server errors and lost connections with back-off, each try with
    /// the same `request_id`; a token renewed once should it run out. A success (2xx) comes back
    /// as it is.
    async fn call(
        &mut self,
        method: reqwest::Method,
        path: &str,
        c: Call<'_>,
        request_id: &str,
    ) -> std::result::Result<reqwest::Response, Failure> {
        let url = format!("{}{}", self.endpoints.partner_center.trim_end_matches('/'), path);
        let mut attempt = 0;
        let mut renewed = false;
        loop {
            attempt += 1;
            let token = self.token().await.map_err(Failure::SignIn)?;
            self.pace().await;
            let mut req = self
                .http
                .request(method.clone(), &url)
                .bearer_auth(&token)
                .header("Accept", "application/json")
                .header("MS-CorrelationId", &self.correlation)
                .header("MS-RequestId", request_id)
                .header("X-Locale", "en-US");
            if let Some(c) = c.continuation {
                req = req.header("MS-ContinuationToken", c);
            }
            if let Some(etag) = c.if_match {
                req = req.header("If-Match", etag);
            }
            if let Some(body) = c.body {
                req = req.json(body);
            }
            match req.send().await {
                Ok(r) if r.status().is_success() => return Ok(r),
                Ok(r) if r.status() == reqwest::StatusCode::TOO_MANY_REQUESTS => {
                    let wait = retry_after(&r).unwrap_or(Duration::from_secs(5));
                    if wait > self.patience.longest_wait || attempt >= self.patience.attempts {
                        return Err(Failure::Unavailable(
                            format!("Partner Center is busy (too many requests; it asks to wait {} s)", wait.as_secs()),
                            Some(wait),
                        ));
                    }
                    sleep(wait).await;
                }
                Ok(r) if r.status() == reqwest::StatusCode::UNAUTHORIZED && !renewed => {
                    // The token ran out early: a new one, once.
                    self.token = None;
                    renewed = true;
                }
                Ok(r) if r.status().is_server_error() => {
                    if attempt >= self.patience.attempts {
                        return Err(Failure::Unavailable(format!("Partner Center failed ({})", r.status()), None));
                    }
                    backoff(attempt).await
                }
                Ok(r) => return Err(refusal(r).await),
                // Nobody listening (offline): one more try, then say so at once.
                Err(e) if e.is_connect() && attempt < 2 => backoff(attempt).await,
                Err(e) if !e.is_connect() && attempt < self.patience.attempts && (e.is_timeout() || e.is_request() || e.is_body()) => {
                    backoff(attempt).await
                }
                Err(e) => return Err(Failure::Unavailable(unreachable_why(&e), None)),
            }
        }
    }

    /// A customer's subscription as Microsoft has it now: the whole object, with its etag.
    pub async fn subscription_object(&mut self, tenant: &str, id: &str) -> std::result::Result<serde_json::Value, Failure> {
        self.get_json(&format!("/v1/customers/{tenant}/subscriptions/{id}")).await
    }

    /// `GET` a path as Microsoft's JSON.
    pub async fn get_json(&mut self, path: &str) -> std::result::Result<serde_json::Value, Failure> {
        let r = self.call(reqwest::Method::GET, path, Call::default(), &new_id()).await?;
        r.json()
            .await
            .map_err(|e| Failure::Unavailable(format!("Partner Center answered {path} with what Seatbook cannot read: {e}"), None))
    }

    /// `HEAD` a path: whether it exists (`200`) or not (`404`), as for a domain.
    pub async fn exists(&mut self, path: &str) -> std::result::Result<bool, Failure> {
        match self.call(reqwest::Method::HEAD, path, Call::default(), &new_id()).await {
            Ok(_) => Ok(true),
            Err(Failure::Refused { status: 404, .. }) => Ok(false),
            Err(f) => Err(f),
        }
    }

    /// `POST` a body (or none) to a path, with `request_id` on every try; Microsoft's JSON back.
    pub async fn post_json(
        &mut self,
        path: &str,
        body: Option<&serde_json::Value>,
        request_id: &str,
    ) -> std::result::Result<serde_json::Value, Failure> {
        let empty = serde_json::json!({});
        let r = self.call(reqwest::Method::POST, path, Call { body: Some(body.unwrap_or(&empty)), ..Call::default() }, request_id).await?;
        let text = r.text().await.map_err(|e| Failure::Unavailable(format!("Partner Center's answer to {path} was cut off: {e}"), None))?;
        Ok(serde_json::from_str(&text).unwrap_or(serde_json::Value::Null))
    }

    /// `PATCH` a subscription with its whole object and the etag it came with; `request_id` is
    /// the change's own, the same on every try, so Microsoft never applies it twice.
    pub async fn patch_subscription(
        &mut self,
        tenant: &str,
        id: &str,
        object: &serde_json::Value,
        etag: Option<&str>,
        request_id: &str,
    ) -> std::result::Result<Patched, Failure> {
        let path = format!("/v1/customers/{tenant}/subscriptions/{id}");
        self.replace(reqwest::Method::PATCH, &path, object, etag, request_id).await
    }

    /// `PUT` a whole object Microsoft keeps (a customer's billing profile) with its etag.
    pub async fn put_json(
        &mut self,
        path: &str,
        object: &serde_json::Value,
        etag: Option<&str>,
        request_id: &str,
    ) -> std::result::Result<Patched, Failure> {
        self.replace(reqwest::Method::PUT, path, object, etag, request_id).await
    }

    /// Send a whole object back with its etag (`If-Match`): Microsoft's answer, or that it
    /// accepted it (202) to finish later.
    async fn replace(
        &mut self,
        method: reqwest::Method,
        path: &str,
        object: &serde_json::Value,
        etag: Option<&str>,
        request_id: &str,
    ) -> std::result::Result<Patched, Failure> {
        let r = self.call(method, path, Call { body: Some(object), if_match: etag, ..Call::default() }, request_id).await?;
        if r.status() == reqwest::StatusCode::ACCEPTED {
            let location = r.headers().get("Location").and_then(|v| v.to_str().ok()).map(str::to_string);
            return Ok(Patched::Accepted(location));
        }
        let text = r.text().await.unwrap_or_default();
        Ok(Patched::Done(serde_json::from_str(&text).unwrap_or(serde_json::Value::Null)))
    }

    /// Every item of a collection, page by page.
    async fn all<T: DeserializeOwned>(&mut self, first: &str, next: &str) -> Result<Vec<T>> {
        let mut page: Page<T> = self.get(first, None).await?;
        let mut items = std::mem::take(&mut page.items);
        while let Some(token) = page.continuation().map(str::to_string) {
            page = self.get(next, Some(&token)).await?;
            items.append(&mut page.items);
        }
        Ok(items)
    }

    pub async fn customers(&mut self) -> Result<Vec<MsCustomer>> {
        self.all("/v1/customers?size=500", "/v1/customers?seekOperation=Next").await
    }

    pub async fn subscriptions(&mut self, tenant: &str) -> Result<Vec<MsSubscription>> {
        let path = format!("/v1/customers/{tenant}/subscriptions");
        self.all(&path, &format!("{path}?seekOperation=Next")).await
    }
}

/// `Retry-After` in seconds (Microsoft writes seconds).
fn retry_after(r: &reqwest::Response) -> Option<Duration> {
    let v = r.headers().get("Retry-After")?.to_str().ok()?;
    v.trim().parse::<u64>().ok().map(Duration::from_secs)
}

/// 1, 2, 4, 8 … seconds, at most 30.
async fn backoff(attempt: u32) {
    sleep(Duration::from_secs((1u64 << attempt.saturating_sub(1).min(5)).min(30))).await;
}

/// Why a request got no answer, in words (not reqwest's, which repeat the address).
fn no_answer(e: &reqwest::Error) -> String {
    if e.is_timeout() {
        "no answer in time".into()
    } else if e.is_connect() {
        "no connection".into()
    } else if e.is_request() || e.is_body() {
        "the connection dropped".into()
    } else {
        let mut source: Option<&dyn std::error::Error> = std::error::Error::source(e);
        let mut last = e.to_string();
        while let Some(s) = source {
            last = s.to_string();
            source = s.source();
        }
        last
    }
}

fn unreachable_why(e: &reqwest::Error) -> String {
    format!("Partner Center could not be reached ({})", no_answer(e))
}

fn unreachable(what: &str, e: &reqwest::Error) -> Error {
    Error::unavailable(format!("{what} could not be reached ({})", no_answer(e)))
}

/// Microsoft's sign-in refused: its error and the first line of its description.
async fn sign_in_refused(r: reqwest::Response) -> Error {
    let status = r.status();
    let e: TokenError = r.json().await.unwrap_or(TokenError { error: String::new(), error_description: String::new() });
    token_refusal(status, &e)
}

fn token_refusal(status: reqwest::StatusCode, e: &TokenError) -> Error {
    let first = e.error_description.lines().next().unwrap_or_default().to_string();
    Error::refused(format!(
        "Microsoft's sign-in refused the application ({status}{}{})",
        if e.error.is_empty() { String::new() } else { format!(", {}", e.error) },
        if first.is_empty() { String::new() } else { format!(": {first}") }
    ))
}

/// What a call may carry besides its method and path.
#[derive(Default, Clone, Copy)]
struct Call<'a> {
    continuation: Option<&'a str>,
    if_match: Option<&'a str>,
    body: Option<&'a serde_json::Value>,
}

/// Microsoft's answer to a `PATCH`: done (the object as it now is), or accepted to be done later
/// (`202`, with where to look).
#[derive(Debug)]
pub enum Patched {
    Done(serde_json::Value),
    Accepted(Option<String>),
}

/// Why a call did not succeed: Microsoft refused it (its HTTP status, code and description), or
/// it could not be done now (offline, throttled for longer than we wait, failing on Microsoft's
/// side; with how long Microsoft asks to wait), or the sign-in failed.
#[derive(Debug)]
pub enum Failure {
    Refused { status: u16, code: String, description: String },
    Unavailable(String, Option<Duration>),
    SignIn(Error),
}

impl Failure {
    /// As an error about `path`.
    pub fn error(self, path: &str) -> Error {
        match self {
            Failure::Refused { status, code, description } => {
                let what = match (code.is_empty(), description.is_empty()) {
                    (false, false) => format!("{code}: {description}"),
                    (false, true) => code,
                    (true, false) => description,
                    (true, true) => format!("HTTP {status}"),
                };
                Error::refused(format!("Partner Center refused {path} ({what})"))
            }
            Failure::Unavailable(why, _) => Error::unavailable(format!("{why}; nothing was changed: try again later")),
            Failure::SignIn(e) => e,
        }
    }
}

/// Microsoft's refusal, with its code and description.
async fn refusal(r: reqwest::Response) -> Failure {
    let status = r.status().as_u16();
    let body = r.text().await.unwrap_or_default();
    let e: Option<MsError> = serde_json::from_str(&body).ok();
    let (code, description) = match e {
        Some(e) => {
            let code = super::provision::code_of(Some(&e.code));
            (code, if e.description.is_empty() { e.message } else { e.description })
        }
        None => (String::new(), String::new()),
    };
    Failure::Refused { status, code, description }
}
