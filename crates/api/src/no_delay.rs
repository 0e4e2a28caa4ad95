//! Accepted connections with Nagle's algorithm off (`TCP_NODELAY`), as every HTTP server wants:
//! an answer goes out in several writes (headers and body, a large body in pieces), and with
//! Nagle's algorithm a small piece may wait for the client's delayed acknowledgement of the one
//! before, up to 40 ms. poem's TCP listener leaves the option as the system sets it (on).

use std::io::Result;

use poem::http::uri::Scheme;
use poem::listener::Acceptor;
use poem::web::{LocalAddr, RemoteAddr};
use tokio::net::TcpStream;

/// An acceptor whose connections send each write at once.
pub struct NoDelay<A>(pub A);

impl<A: Acceptor<Io = TcpStream>> Acceptor for NoDelay<A> {
    type Io = TcpStream;

    fn local_addr(&self) -> Vec<LocalAddr> {
        self.0.local_addr()
    }

    async fn accept(&mut self) -> Result<(TcpStream, LocalAddr, RemoteAddr, Scheme)> {
        let (stream, local, remote, scheme) = self.0.accept().await?;
        // A socket that refuses the option still works, only slower: keep it.
        if let Err(e) = stream.set_nodelay(true) {
            tracing::debug!(error = %e, "could not turn Nagle's algorithm off");
        }
        Ok((stream, local, remote, scheme))
    }
}

#[cfg(test)]
mod tests {
    use poem::listener::{Acceptor, Listener, TcpListener};

    use super::NoDelay;

    #[tokio::test]
    async fn accepted_connections_send_each_write_at_once() -> std::io::Result<()> {
        let mut acceptor = NoDelay(TcpListener::bind("127.0.0.1:0").into_acceptor().await?);
        let addr = acceptor
            .local_addr()
            .first()
            .and_then(|a| a.as_socket_addr().copied())
            .ok_or_else(|| std::io::Error::other("no local address"))?;
        let client = tokio::net::TcpStream::connect(addr);
        let ((server_side, ..), _client) = tokio::try_join!(acceptor.accept(), client)?;
        assert!(server_side.nodelay()?);
        Ok(())
    }
}
