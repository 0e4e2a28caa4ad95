//! A real HTTP receiver of webhooks on 127.0.0.1: it checks each delivery's signature with the
//! Standard Webhooks reference library, keeps what it got, and fails on purpose when told to.
#![expect(clippy::expect_used, reason = "a test whose set-up fails must stop")]

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};

use poem::http::StatusCode;
use poem::listener::{Acceptor, Listener, TcpListener};
use poem::{Body, EndpointExt, Request, Response, Server, handler};
use tokio::task::JoinHandle;

/// One delivery as the receiver saw it.
#[derive(Debug, Clone)]
pub struct Received {
    pub webhook_id: String,
    pub timestamp: String,
    pub signature: String,
    pub body: serde_json::Value,
    /// The signature checked out against the secret the receiver was given.
    pub verified: bool,
    /// What the receiver answered.
    pub answered: u16,
}

#[derive(Default)]
struct State {
    secret: Mutex<Option<String>>,
    fail_next: AtomicUsize,
    received: Mutex<Vec<Received>>,
}

pub struct Receiver {
    /// `http://127.0.0.1:<port>/hooks`
    pub url: String,
    state: Arc<State>,
    task: JoinHandle<()>,
}

impl Receiver {
    pub async fn start() -> Self {
        let state = Arc::new(State::default());
        let acceptor = TcpListener::bind("127.0.0.1:0")
            .into_acceptor()
            .await
            .expect("bind the receiver's port");
        let addr = acceptor
            .local_addr()
            .first()
            .and_then(|a| a.as_socket_addr().copied())
            .expect("the receiver's address");
        let app = receive.data(state.clone());
        let task = tokio::spawn(async move {
            Server::new_with_acceptor(acceptor).run(app).await.ok();
        });
        Self {
            url: format!("http://{addr}/hooks"),
            state,
            task,
        }
    }

    /// The secret to check signatures with (the one the server showed at registration).
    pub fn set_secret(&self, secret: &str) {
        *self.state.secret.lock().expect("the secret") = Some(secret.to_owned());
    }

    /// Answer the next `n` deliveries with 500.
    pub fn fail_next(&self, n: usize) {
        self.state.fail_next.store(n, Ordering::SeqCst);
    }

    pub fn received(&self) -> Vec<Received> {
        self.state.received.lock().expect("the deliveries").clone()
    }
}

impl Drop for Receiver {
    fn drop(&mut self) {
        self.task.abort();
    }
}

#[handler]
async fn receive(req: &Request, body: Body, state: poem::web::Data<&Arc<State>>) -> Response {
    let bytes = body.into_vec().await.unwrap_or_default();
    let header = |name: &str| {
        req.headers()
            .get(name)
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default()
            .to_owned()
    };
    let secret = state.secret.lock().expect("the secret").clone();
    let verified = secret.is_some_and(|secret| {
        standardwebhooks::Webhook::new(&secret)
            .and_then(|hook| hook.verify(&bytes, req.headers()))
            .is_ok()
    });
    let failing = state
        .fail_next
        .fetch_update(Ordering::SeqCst, Ordering::SeqCst, |n| n.checked_sub(1))
        .is_ok();
    let status = if !verified {
        StatusCode::UNAUTHORIZED
    } else if failing {
        StatusCode::INTERNAL_SERVER_ERROR
    } else {
        StatusCode::NO_CONTENT
    };
    state.received.lock().expect("the deliveries").push(Received {
        webhook_id: header("webhook-id"),
        timestamp: header("webhook-timestamp"),
        signature: header("webhook-signature"),
        body: serde_json::from_slice(&bytes).unwrap_or(serde_json::Value::Null),
        verified,
        answered: status.as_u16(),
    });
    Response::builder().status(status).finish()
}
