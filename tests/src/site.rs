//! The application served over a real socket, behind a proxy whose network the test can cut:
//! what a browser test needs to be offline for real (connections refused, not a flag in the page).
#![expect(clippy::expect_used, reason = "a test whose set-up fails must stop")]

use std::net::SocketAddr;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};

use poem::listener::{Acceptor, Listener, TcpListener};
use poem::{Body, Endpoint, EndpointExt, IntoResponse, Request, Response, Server};
use tokio::net::TcpStream;
use tokio::sync::watch;
use tokio::task::JoinHandle;

use crate::TestApp;

/// The site as a browser reaches it: `base` is the proxy's address.
pub struct Site {
    pub base: String,
    online: watch::Sender<bool>,
    cut: Arc<CutSwitch>,
    tasks: Vec<JoinHandle<()>>,
}

#[derive(Default)]
struct CutSwitch {
    /// Cut the answer of the next offline batch upload (after the server stored it).
    armed: AtomicBool,
    /// How many answers were cut.
    cuts: AtomicUsize,
}

impl TestApp {
    /// Serves the whole application (pages and API) on 127.0.0.1 behind a switchable proxy.
    pub async fn serve_site(&self) -> Site {
        let cut = Arc::new(CutSwitch::default());
        let switch = cut.clone();
        let app = campaign_api::app(self.state.clone()).around(move |next, req| {
            let switch = switch.clone();
            async move { cut_when_armed(next, req, &switch).await }
        });
        let acceptor = TcpListener::bind("127.0.0.1:0")
            .into_acceptor()
            .await
            .expect("bind the site's port");
        let app_addr = acceptor
            .local_addr()
            .first()
            .and_then(|a| a.as_socket_addr().copied())
            .expect("the site's address");
        let server = tokio::spawn(async move {
            Server::new_with_acceptor(acceptor).run(app).await.ok();
        });
        let (online, _) = watch::channel(true);
        let proxy_listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("bind the proxy's port");
        let proxy_addr = proxy_listener.local_addr().expect("the proxy's address");
        let proxy = tokio::spawn(run_proxy(proxy_listener, app_addr, online.clone()));
        Site {
            base: format!("http://{proxy_addr}"),
            online,
            cut,
            tasks: vec![server, proxy],
        }
    }
}

impl Site {
    /// Takes the network away (every connection closed, new ones refused) or gives it back.
    pub fn set_online(&self, online: bool) {
        self.online.send_replace(online);
    }

    /// The next `POST …/entries/batch` is stored by the server, but its answer never reaches the
    /// browser: the connection breaks (an upload cut halfway).
    pub fn cut_next_batch_answer(&self) {
        self.cut.armed.store(true, Ordering::SeqCst);
    }

    /// How many batch answers were cut so far.
    pub fn batch_answers_cut(&self) -> usize {
        self.cut.cuts.load(Ordering::SeqCst)
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }
}

impl Drop for Site {
    fn drop(&mut self) {
        for task in &self.tasks {
            task.abort();
        }
    }
}

async fn cut_when_armed<E: Endpoint>(next: Arc<E>, req: Request, switch: &CutSwitch) -> poem::Result<Response> {
    let is_batch = req.method() == poem::http::Method::POST && req.uri().path().ends_with("/entries/batch");
    let cut = is_batch && switch.armed.swap(false, Ordering::SeqCst);
    let resp = next.call(req).await?.into_response();
    if !cut {
        return Ok(resp);
    }
    // The server did its work; the answer breaks before its body arrives.
    switch.cuts.fetch_add(1, Ordering::SeqCst);
    let broken = futures_util::stream::once(async { Err::<bytes::Bytes, _>(std::io::Error::other("cut by the test")) });
    Ok(Response::builder()
        .status(resp.status())
        .body(Body::from_bytes_stream(broken)))
}

/// Copies bytes both ways while online; offline, closes every connection and refuses new ones.
async fn run_proxy(listener: tokio::net::TcpListener, target: SocketAddr, online: watch::Sender<bool>) {
    loop {
        let Ok((mut client, _)) = listener.accept().await else {
            return;
        };
        if !*online.borrow() {
            drop(client);
            continue;
        }
        let mut offline = online.subscribe();
        tokio::spawn(async move {
            let Ok(mut upstream) = TcpStream::connect(target).await else {
                return;
            };
            tokio::select! {
                _ = tokio::io::copy_bidirectional(&mut client, &mut upstream) => {}
                _ = offline.wait_for(|on| !*on) => {}
            }
        });
    }
}
